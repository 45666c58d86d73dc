{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}
{{ eventsc_qa_summary(
  ref('eventsc_qa_defects'),
  [
  source('app', 'tracks'),
  ],
  [
  '4f7264657220506c61636564',
  ],
  1,
  '100',
  '0',
) }}
