{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}
{{ eventsc_qa_summary(
  ref('eventsc_qa_defects'),
  [
  source('web', 'tracks'),
  ],
  [
  '5061676520566965776564',
  ],
  1,
  '100',
  '0',
) }}
