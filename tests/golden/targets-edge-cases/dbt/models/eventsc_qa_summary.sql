{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}
{{ eventsc_qa_summary(
  ref('eventsc_qa_defects'),
  [
  source('web', 'tracks'),
  source('server', 'tracks'),
  ],
  [
  '4964656e74696679',
  '4f7264657220436f6d706c65746564',
  '4f726465725f436f6d706c65746564',
  ],
  3,
  '100',
  '0',
) }}
