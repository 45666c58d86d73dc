{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}
{{ eventsc_qa_summary(
  ref('eventsc_qa_defects'),
  [
  source('product', 'tracks'),
  source('web', 'tracks'),
  source('crm', 'tracks'),
  source('billing', 'tracks'),
  ],
  [
  '496e766f6963652050616964',
  '547269616c2053746172746564',
  ],
  2,
  '95',
  '2',
) }}
