{#- Written by `eventsc build --target dbt` from the tracking plan; do not edit. -#}
with checks as (
{{ eventsc_qa_checks([
  [1, '747261636b', '747261636b', '6576656e745f74657874', '756e706c616e6e65642d6576656e74', '74657374732f66697874757265732f6d756c74692f73706c69742d706c616e2f706c616e2e6576656e74733a32'],
  [2, '747261636b', '747261636b', '', '656e76656c6f7065', '5365676d656e742073706563'],
  [3, '70616765', '70616765', '', '656e76656c6f7065', '5365676d656e742073706563'],
  [4, '5061676520566965776564', '747261636b', '', '636f6e73656e74', '74657374732f66697874757265732f6d756c74692f73706c69742d706c616e2f6576656e74732e6576656e74733a35'],
  [5, '5061676520566965776564', '747261636b', '70617468', '7265717569726564', '74657374732f66697874757265732f6d756c74692f73706c69742d706c616e2f6576656e74732e6576656e74733a3130'],
]) }}
),
hits as (
{{ eventsc_qa_hits([
  [source('web', 'tracks'), [
    {'id': 1, 'test': 'planned_event', 'column': 'event_text', 'values': ['5061676520566965776564']},
    {'id': 2, 'test': 'has_id'},
  ]],
  [source('web', 'pages'), [
    {'id': 3, 'test': 'has_id'},
  ]],
  [source('web', 'page_viewed'), [
    {'id': 4, 'test': 'consent', 'preference': 'context_consent_category_preferences_analytics'},
    {'id': 5, 'test': 'required', 'column': 'path'},
  ]],
]) }}
)
select coalesce(h.event_text, c.event) as event, c.call_type, c.column_name, c.rule,
  h.message_id, c.location, h.received_at
from hits h
join checks c on h.check_id = c.check_id
