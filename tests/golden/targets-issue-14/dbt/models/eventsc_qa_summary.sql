{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}
{{ eventsc_qa_summary(
  ref('eventsc_qa_defects'),
  [
  source('web', 'tracks'),
  source('segment', 'tracks'),
  ],
  [
  '5265706f7274204578706f72746564',
  ],
  1,
  '100',
  '0',
) }}
