{#-
  eventsc: the generic tests and QA macros of the generated dbt project.
  Written by `eventsc build --target dbt`; do not edit (the next build replaces it).

  No text of the tracking plan is ever written into SQL: names, enum values,
  patterns and event names reach these macros as lower-case hex of their UTF-8
  bytes and are decoded by the warehouse (`eventsc_text`), so no quote,
  backslash or comment in a plan can change a query, whatever the dialect.
  Column names are snake_case words (checked here) quoted per adapter.
  Per-adapter SQL goes through `adapter.dispatch(..., 'eventsc')`: add a
  `<adapter>__eventsc_<name>` macro to your project to support another engine.
-#}

{#- ---------------------------------------------------------------------------
    Literals and names
-#}

{% macro eventsc_text(hex) -%}
  {%- if hex is not string or not modules.re.fullmatch('(?:[0-9a-f]{2})*', hex) -%}
    {{ exceptions.raise_compiler_error("eventsc_text: expected lower-case hex, got " ~ hex) }}
  {%- endif -%}
  {{- return(adapter.dispatch('eventsc_text', 'eventsc')(hex)) -}}
{%- endmacro %}

{% macro default__eventsc_text(hex) -%}
  convert_from(decode('{{ hex }}', 'hex'), 'UTF8')
{%- endmacro %}

{% macro duckdb__eventsc_text(hex) -%}
  decode(unhex('{{ hex }}'))
{%- endmacro %}

{% macro snowflake__eventsc_text(hex) -%}
  hex_decode_string('{{ hex }}')
{%- endmacro %}

{% macro bigquery__eventsc_text(hex) -%}
  safe_convert_bytes_to_string(from_hex('{{ hex }}'))
{%- endmacro %}

{% macro redshift__eventsc_text(hex) -%}
  from_varbyte(from_hex('{{ hex }}'), 'utf8')
{%- endmacro %}

{% macro databricks__eventsc_text(hex) -%}
  decode(unhex('{{ hex }}'), 'UTF-8')
{%- endmacro %}

{% macro spark__eventsc_text(hex) -%}
  decode(unhex('{{ hex }}'), 'UTF-8')
{%- endmacro %}

{#- A number written by eventsc (a bound or a length). -#}
{% macro eventsc_number(n) -%}
  {%- if n is number -%}{{ return(n) }}{%- endif -%}
  {%- if n is not string or not modules.re.fullmatch('-?[0-9]+(?:[.][0-9]+)?(?:[eE][-+]?[0-9]+)?', n) -%}
    {{ exceptions.raise_compiler_error("eventsc_number: not a number: " ~ n) }}
  {%- endif -%}
  {{- return(n) -}}
{%- endmacro %}

{#- A number or a boolean written by eventsc (an enum value), as SQL. -#}
{% macro eventsc_literal(v) -%}
  {%- if v is boolean -%}{{ return('true' if v else 'false') }}{%- endif -%}
  {%- if v in ('true', 'false') -%}{{ return(v) }}{%- endif -%}
  {{- return(eventsc_number(v)) -}}
{%- endmacro %}

{#- A number as a double-precision float (as `validate` computes). -#}
{% macro eventsc_double(expr) -%}
  {{- return(adapter.dispatch('eventsc_double', 'eventsc')(expr)) -}}
{%- endmacro %}

{% macro default__eventsc_double(expr) -%}
  cast({{ expr }} as double precision)
{%- endmacro %}

{% macro bigquery__eventsc_double(expr) -%}
  cast({{ expr }} as float64)
{%- endmacro %}

{% macro databricks__eventsc_double(expr) -%}
  cast({{ expr }} as double)
{%- endmacro %}

{% macro spark__eventsc_double(expr) -%}
  cast({{ expr }} as double)
{%- endmacro %}

{#- A column of a Segment table: a snake_case word (Segment's snake_case of a
    quoted property name may start with a digit), quoted for the adapter. -#}
{% macro eventsc_column(name) -%}
  {%- if name is not string or not modules.re.fullmatch('[a-z0-9_]+', name) -%}
    {{ exceptions.raise_compiler_error("eventsc_column: not a snake_case column name: " ~ name) }}
  {%- endif -%}
  {{- return(adapter.dispatch('eventsc_column', 'eventsc')(name)) -}}
{%- endmacro %}

{% macro default__eventsc_column(name) -%}
  {{ adapter.quote(name) }}
{%- endmacro %}

{#- Segment creates Snowflake columns unquoted, that is upper-case. -#}
{% macro snowflake__eventsc_column(name) -%}
  {{ adapter.quote(name | upper) }}
{%- endmacro %}

{#- Whether `expr` matches the regular expression `pattern` (an SQL expression)
    anywhere, as JSON Schema's `pattern` does. -#}
{% macro eventsc_matches(expr, pattern) -%}
  {{- return(adapter.dispatch('eventsc_matches', 'eventsc')(expr, pattern)) -}}
{%- endmacro %}

{% macro default__eventsc_matches(expr, pattern) -%}
  ({{ expr }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__eventsc_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro snowflake__eventsc_matches(expr, pattern) -%}
  (regexp_instr({{ expr }}, {{ pattern }}) > 0)
{%- endmacro %}

{% macro bigquery__eventsc_matches(expr, pattern) -%}
  regexp_contains({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro databricks__eventsc_matches(expr, pattern) -%}
  ({{ expr }} rlike {{ pattern }})
{%- endmacro %}

{% macro spark__eventsc_matches(expr, pattern) -%}
  ({{ expr }} rlike {{ pattern }})
{%- endmacro %}

{#- ---------------------------------------------------------------------------
    Lists: Segment writes a list as JSON text. Their items are read on
    PostgreSQL and DuckDB; on other adapters these checks pass (add
    `<adapter>__eventsc_items_exist` and `<adapter>__eventsc_list_length`).
-#}

{#- Whether an item `v` of the JSON list in column `c` meets `condition` (SQL
    on `eventsc_item_kind(v)` and `eventsc_item_text(v)`). -#}
{% macro eventsc_items_exist(c, v, condition) -%}
  {{- return(adapter.dispatch('eventsc_items_exist', 'eventsc')(c, v, condition)) -}}
{%- endmacro %}

{% macro default__eventsc_items_exist(c, v, condition) -%}
  (1 = 0)
{%- endmacro %}

{% macro postgres__eventsc_items_exist(c, v, condition) -%}
  exists (select 1 from jsonb_array_elements(case when left({{ c }}, 1) = '[' then cast({{ c }} as jsonb) end) as eventsc_items({{ v }}) where {{ condition }})
{%- endmacro %}

{% macro duckdb__eventsc_items_exist(c, v, condition) -%}
  exists (select 1 from (select unnest(json_extract({{ eventsc_duckdb_list(c) }}, '$[*]')) as {{ v }}) as eventsc_items where {{ condition }})
{%- endmacro %}

{#- The column's text when it is a JSON list, else null. -#}
{% macro eventsc_duckdb_list(c) -%}
  (case when json_valid({{ c }}) then (case when json_type({{ c }}) = 'ARRAY' then {{ c }} end) end)
{%- endmacro %}

{#- The number of items of the JSON list in `c` (null when it is none). -#}
{% macro eventsc_list_length(c) -%}
  {{- return(adapter.dispatch('eventsc_list_length', 'eventsc')(c)) -}}
{%- endmacro %}

{% macro default__eventsc_list_length(c) -%}
  cast(null as integer)
{%- endmacro %}

{% macro postgres__eventsc_list_length(c) -%}
  jsonb_array_length(case when left({{ c }}, 1) = '[' then cast({{ c }} as jsonb) end)
{%- endmacro %}

{% macro duckdb__eventsc_list_length(c) -%}
  json_array_length({{ eventsc_duckdb_list(c) }})
{%- endmacro %}

{#- The JSON kind of an item: string, number, boolean, null, array, object. -#}
{% macro eventsc_item_kind(v) -%}
  {{- return(adapter.dispatch('eventsc_item_kind', 'eventsc')(v)) -}}
{%- endmacro %}

{% macro default__eventsc_item_kind(v) -%}
  jsonb_typeof({{ v }})
{%- endmacro %}

{% macro duckdb__eventsc_item_kind(v) -%}
  (case json_type({{ v }}) when 'VARCHAR' then 'string' when 'BOOLEAN' then 'boolean' when 'NULL' then 'null'
    when 'ARRAY' then 'array' when 'OBJECT' then 'object' else 'number' end)
{%- endmacro %}

{#- An item's value as text (a string unquoted; a number or boolean as written). -#}
{% macro eventsc_item_text(v) -%}
  {{- return(adapter.dispatch('eventsc_item_text', 'eventsc')(v)) -}}
{%- endmacro %}

{% macro default__eventsc_item_text(v) -%}
  ({{ v }} #>> '{}')
{%- endmacro %}

{% macro duckdb__eventsc_item_text(v) -%}
  json_extract_string({{ v }}, '$')
{%- endmacro %}

{#- ---------------------------------------------------------------------------
    Relations and columns that may not exist yet: Segment creates a table on
    the first call of its kind and a column on the first non-null value.
-#}

{#- The relation, or none when it does not exist (at parse time: the relation). -#}
{% macro eventsc_load(relation) -%}
  {%- if not execute -%}{{ return(relation) }}{%- endif -%}
  {{- return(load_relation(relation)) -}}
{%- endmacro %}

{#- The lower-case column names of a relation (none at parse time). -#}
{% macro eventsc_columns(relation) -%}
  {%- if not execute or relation is none -%}{{ return(none) }}{%- endif -%}
  {%- set names = [] -%}
  {%- for c in adapter.get_columns_in_relation(relation) -%}
    {%- do names.append(c.name | lower) -%}
  {%- endfor -%}
  {{- return(names) -}}
{%- endmacro %}

{#- ---------------------------------------------------------------------------
    Conditions: the SQL that is true for a row breaking a check. A check is a
    dict: `test` (what kind), `column`, and the test's arguments. The generic
    tests and the QA models share these, so they cannot disagree.
-#}

{% macro eventsc_condition(check, columns) -%}
  {%- set test = check.get('test') -%}
  {%- set name = check.get('column') -%}
  {%- set present = columns is none or name is none or name in columns -%}
  {#- `expr`: an item's value, when the check is on a list's items. -#}
  {%- set c = check.get('expr') if check.get('expr') is not none
      else (eventsc_column(name) if name is not none else none) -%}
  {%- if test == 'has_id' -%}
    {%- set ids = [] -%}
    {%- for id in ['user_id', 'anonymous_id'] -%}
      {%- if columns is none or id in columns -%}
        {%- do ids.append("coalesce(" ~ eventsc_column(id) ~ ", '') = ''") -%}
      {%- endif -%}
    {%- endfor -%}
    {{- return('(' ~ (ids | join(' and ') if ids else '1 = 1') ~ ')') -}}
  {%- elif test == 'one_of' -%}
    {#- None of the fields (the envelope's `require_one_of`) has a value. -#}
    {%- set parts = [] -%}
    {%- for col in check.get('columns') or [] -%}
      {%- if columns is none or col in columns -%}{%- do parts.append(eventsc_column(col) ~ ' is null') -%}{%- endif -%}
    {%- endfor -%}
    {{- return('(' ~ (parts | join(' and ') if parts else '1 = 1') ~ ')') -}}
  {%- elif test == 'closed' -%}
    {#- A key the plan does not have made a column (Segment adds one per new
        key): a row with a value in it. A block (no prefix) leaves Segment's
        own columns alone; `open`: prefixes of other objects' columns. -#}
    {%- if columns is none -%}{{ return('1 = 0') }}{%- endif -%}
    {%- set prefix = check.get('prefix') or '' -%}
    {%- set planned = check.get('planned') or [] -%}
    {%- set segment = ['id', 'received_at', 'sent_at', 'timestamp', 'original_timestamp', 'user_id',
        'anonymous_id', 'event', 'event_text', 'group_id', 'uuid_ts', 'loaded_at'] -%}
    {%- set parts = [] -%}
    {%- for col in columns -%}
      {%- set ns = namespace(other=col.startswith(prefix) and col not in planned
          and modules.re.fullmatch('[a-z0-9_]+', col) is not none
          and (prefix != '' or col not in segment)) -%}
      {%- for o in check.get('open') or [] -%}
        {%- if col.startswith(o) -%}{%- set ns.other = false -%}{%- endif -%}
      {%- endfor -%}
      {%- if ns.other -%}{%- do parts.append(eventsc_column(col) ~ ' is not null') -%}{%- endif -%}
    {%- endfor -%}
    {{- return('(' ~ (parts | join(' or ') if parts else '1 = 0') ~ ')') -}}
  {%- elif test == 'consent' -%}
    {%- set pref = check.get('preference') -%}
    {%- if columns is not none and (pref not in columns or not present) -%}{{ return('1 = 0') }}{%- endif -%}
    {%- set denied = eventsc_column(pref) ~ ' = false' -%}
    {{- return('(' ~ (c ~ ' is not null and ' if c is not none else '') ~ denied ~ ')') -}}
  {%- elif not present -%}
    {#- A column Segment never created holds no value: missing for every row. -#}
    {{- return('1 = 1' if test in ('required', 'identity') else '1 = 0') -}}
  {%- elif test == 'required' -%}
    {{- return(c ~ ' is null') -}}
  {%- elif test == 'identity' -%}
    {{- return('coalesce(' ~ c ~ ", '') = ''") -}}
  {%- elif test in ('accepted_values', 'planned_event') -%}
    {%- set values = [] -%}
    {%- for v in check.get('values') -%}{%- do values.append(eventsc_text(v)) -%}{%- endfor -%}
    {{- return('(' ~ c ~ ' is not null and ' ~ c ~ ' not in (' ~ values | join(', ') ~ '))') -}}
  {%- elif test in ('accepted_literals', 'rejected_values', 'rejected_literals') -%}
    {%- set values = [] -%}
    {%- for v in check.get('values') -%}
      {%- do values.append(eventsc_text(v) if test == 'rejected_values' else eventsc_literal(v)) -%}
    {%- endfor -%}
    {%- set op = ' not in (' if test == 'accepted_literals' else ' in (' -%}
    {{- return('(' ~ c ~ ' is not null and ' ~ c ~ op ~ values | join(', ') ~ '))') -}}
  {%- elif test == 'not_pattern' -%}
    {{- return('(' ~ c ~ ' is not null and ' ~ eventsc_matches(c, eventsc_text(check.get('pattern'))) ~ ')') -}}
  {%- elif test == 'multiple_of' -%}
    {%- set q = eventsc_double(c) ~ ' / ' ~ eventsc_double(eventsc_number(check.get('step'))) -%}
    {{- return('(' ~ c ~ ' is not null and ' ~ q ~ ' <> floor(' ~ q ~ '))') -}}
  {%- elif test == 'union' -%}
    {#- The text of a value of none of the kinds (a union without strings). -#}
    {%- set forms = {'integer': '-?[0-9]+([.]0+)?', 'number': '-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?',
        'boolean': 'true|false', 'list': '[[].*'} -%}
    {%- set alts = [] -%}
    {%- for k in check.get('kinds') -%}
      {%- if k not in forms -%}{{ exceptions.raise_compiler_error("eventsc: unknown kind " ~ k) }}{%- endif -%}
      {%- do alts.append(forms[k]) -%}
    {%- endfor -%}
    {{- return('(' ~ c ~ ' is not null and not ' ~ eventsc_matches(c, "'^(" ~ alts | join('|') ~ ")$'") ~ ')') -}}
  {%- elif test == 'list_length' -%}
    {%- set n = eventsc_list_length(c) -%}
    {%- set parts = [] -%}
    {%- if check.get('min') is not none -%}{%- do parts.append(n ~ ' < ' ~ eventsc_number(check.get('min'))) -%}{%- endif -%}
    {%- if check.get('max') is not none -%}{%- do parts.append(n ~ ' > ' ~ eventsc_number(check.get('max'))) -%}{%- endif -%}
    {{- return('(' ~ (parts | join(' or ') if parts else '1 = 0') ~ ')') -}}
  {%- elif test == 'items' -%}
    {#- An item of the list breaking `item`: its kind (`kinds`), null, enum
        values, or a check of its value (`range`, `pattern`, …) on the items
        of its kind. -#}
    {%- set v = 'eventsc_item' -%}
    {%- set kind = eventsc_item_kind(v) -%}
    {%- set text = eventsc_item_text(v) -%}
    {%- set item = check.get('item') -%}
    {%- set number = eventsc_double(text) -%}
    {%- set whole = '(case when ' ~ kind ~ " = 'number' then " ~ number ~ ' = floor(' ~ number ~ ') else false end)' -%}
    {%- if item == 'null' -%}
      {%- set bad = kind ~ " = 'null'" -%}
    {%- elif item in ('kinds', 'enum') -%}
      {%- set ok = [] -%}
      {%- for k in check.get('kinds') or [] -%}
        {%- if k not in ('string', 'number', 'integer', 'boolean', 'array', 'object') -%}
          {{ exceptions.raise_compiler_error("eventsc: unknown kind " ~ k) }}
        {%- endif -%}
        {%- do ok.append(whole if k == 'integer' else kind ~ " = '" ~ k ~ "'") -%}
      {%- endfor -%}
      {%- set strings = [] -%}
      {%- for h in check.get('values') or [] -%}{%- do strings.append(eventsc_text(h)) -%}{%- endfor -%}
      {%- if strings -%}
        {%- do ok.append('(' ~ kind ~ " = 'string' and " ~ text ~ ' in (' ~ strings | join(', ') ~ '))') -%}
      {%- endif -%}
      {%- set numbers = [] -%}
      {%- set booleans = [] -%}
      {%- for l in check.get('literals') or [] -%}
        {%- if l in ('true', 'false') or l is boolean -%}
          {%- do booleans.append("'" ~ eventsc_literal(l) ~ "'") -%}
        {%- else -%}
          {%- do numbers.append(eventsc_number(l)) -%}
        {%- endif -%}
      {%- endfor -%}
      {%- if numbers -%}
        {%- do ok.append('(case when ' ~ kind ~ " = 'number' then " ~ number ~ ' in (' ~ numbers | join(', ') ~ ') else false end)') -%}
      {%- endif -%}
      {%- if booleans -%}
        {%- do ok.append('(' ~ kind ~ " = 'boolean' and " ~ text ~ ' in (' ~ booleans | join(', ') ~ '))') -%}
      {%- endif -%}
      {%- set bad = '(' ~ kind ~ " <> 'null' and not (" ~ (ok | join(' or ') if ok else '1 = 0') ~ '))' -%}
    {%- else -%}
      {%- set of = check.get('kind') or ('number' if item in ('range', 'multiple_of', 'rejected_literals') else 'string') -%}
      {%- set inner = {} -%}
      {%- do inner.update(check) -%}
      {%- do inner.update({'test': item, 'column': none, 'expr': number if of == 'number' else text}) -%}
      {%- set bad = '(case when ' ~ kind ~ " = '" ~ of ~ "' then " ~ eventsc_condition(inner, none) ~ ' else false end)' -%}
    {%- endif -%}
    {{- return('(' ~ c ~ ' is not null and ' ~ eventsc_items_exist(c, v, bad) ~ ')') -}}
  {%- elif test in ('range', 'length') -%}
    {%- set x = dbt.length(c) if test == 'length' else c -%}
    {%- set parts = [] -%}
    {%- if check.get('min') is not none -%}{%- do parts.append(x ~ ' < ' ~ eventsc_number(check.get('min'))) -%}{%- endif -%}
    {%- if check.get('max') is not none -%}{%- do parts.append(x ~ ' > ' ~ eventsc_number(check.get('max'))) -%}{%- endif -%}
    {{- return('(' ~ (parts | join(' or ') if parts else '1 = 0') ~ ')') -}}
  {%- elif test in ('pattern', 'format') -%}
    {{- return('(' ~ c ~ ' is not null and not ' ~ eventsc_matches(c, eventsc_text(check.get('pattern'))) ~ ')') -}}
  {%- elif test == 'integer' -%}
    {{- return('(' ~ c ~ ' <> floor(' ~ c ~ '))') -}}
  {%- elif test == 'sunset' -%}
    {%- set day = check.get('sunset') -%}
    {%- if day is not string or not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', day) -%}
      {{ exceptions.raise_compiler_error("eventsc: not a date: " ~ day) }}
    {%- endif -%}
    {{- return('cast(' ~ c ~ " as date) > cast('" ~ day ~ "' as date)") -}}
  {%- else -%}
    {{ exceptions.raise_compiler_error("eventsc: unknown check " ~ test) }}
  {%- endif -%}
{%- endmacro %}

{#- The rows a check is for: of one event in a table several events share
    (`event`), and `within` some of its calls (`eventsc_within`). -#}
{% macro eventsc_scope(check, columns) -%}
  {%- set parts = [] -%}
  {%- if check.get('event') is not none -%}
    {%- if columns is not none and 'event_text' not in columns -%}{{ return('1 = 0') }}{%- endif -%}
    {%- do parts.append(eventsc_column('event_text') ~ ' = ' ~ eventsc_text(check.get('event'))) -%}
  {%- endif -%}
  {%- if check.get('within') is not none -%}
    {%- do parts.append(eventsc_within(check.get('within'), columns)) -%}
  {%- endif -%}
  {{- return(parts | join(' and ') if parts else '1 = 1') -}}
{%- endmacro %}

{#- `within`, one key: `names` (hex; page or screen calls of one of these
    names), `not_names` (of no name or none of these), `versions` (track calls
    of one of these context.protocols.event_version), `not_versions` (of no
    version or none of these). A column Segment has not made holds nulls. -#}
{% macro eventsc_within(within, columns) -%}
  {%- if within is not mapping or within | length != 1 -%}
    {{ exceptions.raise_compiler_error("eventsc: within takes one of names, not_names, versions, not_versions") }}
  {%- endif -%}
  {%- set key = within.keys() | list | first -%}
  {%- set values = [] -%}
  {%- if key in ('names', 'not_names') -%}
    {%- set column = 'name' -%}
    {%- for v in within[key] -%}{%- do values.append(eventsc_text(v)) -%}{%- endfor -%}
  {%- elif key in ('versions', 'not_versions') -%}
    {%- set column = 'context_protocols_event_version' -%}
    {%- for v in within[key] -%}{%- do values.append(eventsc_number(v)) -%}{%- endfor -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("eventsc: unknown within " ~ key) }}
  {%- endif -%}
  {%- if not values -%}{{ exceptions.raise_compiler_error("eventsc: within " ~ key ~ " is empty") }}{%- endif -%}
  {%- set negated = key.startswith('not_') -%}
  {%- if columns is not none and column not in columns -%}{{ return('1 = 1' if negated else '1 = 0') }}{%- endif -%}
  {%- set c = eventsc_column(column) -%}
  {%- if negated -%}
    {{- return('(' ~ c ~ ' is null or ' ~ c ~ ' not in (' ~ values | join(', ') ~ '))') -}}
  {%- endif -%}
  {{- return(c ~ ' in (' ~ values | join(', ') ~ ')') -}}
{%- endmacro %}

{#- The rows of `model` breaking `check`; nothing when the table does not exist. -#}
{% macro eventsc_test_sql(model, check) -%}
  {%- set rel = eventsc_load(model) -%}
  {%- if rel is none -%}
    select 1 as eventsc_no_table where 1 = 0
  {%- else -%}
    {%- set columns = eventsc_columns(rel) -%}
    select * from {{ model }}
    where {{ eventsc_condition(check, columns) }} and {{ eventsc_scope(check, columns) }}
  {%- endif -%}
{%- endmacro %}

{#- ---------------------------------------------------------------------------
    Generic tests, one per kind of plan rule. `event`: the hex of the event's
    name when several events share the table (the test applies to its rows).
-#}

{% test eventsc_required(model, column_name, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'required', 'column': column_name, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_identity(model, column_name, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'identity', 'column': column_name, 'event': event, 'within': within}) }}
{%- endtest %}

{#- The envelope's `require_one_of`: one of the columns has a value. -#}
{% test eventsc_one_of(model, columns, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'one_of', 'columns': columns, 'within': within}) }}
{%- endtest %}

{% test eventsc_has_id(model, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'has_id', 'within': within}) }}
{%- endtest %}

{% test eventsc_accepted_values(model, column_name, values, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'accepted_values', 'column': column_name, 'values': values, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_planned_event(model, column_name, values, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'planned_event', 'column': column_name, 'values': values, 'within': within}) }}
{%- endtest %}

{% test eventsc_accepted_literals(model, column_name, values, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'accepted_literals', 'column': column_name, 'values': values, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_rejected_values(model, column_name, values, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'rejected_values', 'column': column_name, 'values': values, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_rejected_literals(model, column_name, values, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'rejected_literals', 'column': column_name, 'values': values, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_not_pattern(model, column_name, pattern, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'not_pattern', 'column': column_name, 'pattern': pattern, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_multiple_of(model, column_name, step, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'multiple_of', 'column': column_name, 'step': step, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_union(model, column_name, kinds, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'union', 'column': column_name, 'kinds': kinds, 'event': event, 'within': within}) }}
{%- endtest %}

{#- A `closed` block (no prefix) or object: no value in a column of a key
    the plan does not have. -#}
{% test eventsc_closed(model, planned, prefix=none, open=none, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'closed', 'planned': planned, 'prefix': prefix, 'open': open, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_list_length(model, column_name, min=none, max=none, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'list_length', 'column': column_name, 'min': min, 'max': max, 'event': event, 'within': within}) }}
{%- endtest %}

{#- A list's items (JSON text): `item` names the check (`kinds`, `null`,
    `enum`, `range`, `multiple_of`, `length`, `pattern`, `format`,
    `not_pattern`, `rejected_values`, `rejected_literals`), the rest are its
    arguments. -#}
{% test eventsc_items(model, column_name, item, kinds=none, values=none, literals=none, kind=none,
    min=none, max=none, step=none, pattern=none, format=none, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'items', 'column': column_name, 'item': item, 'kinds': kinds,
    'values': values, 'literals': literals, 'kind': kind, 'min': min, 'max': max, 'step': step,
    'pattern': pattern, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_range(model, column_name, min=none, max=none, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'range', 'column': column_name, 'min': min, 'max': max, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_length(model, column_name, min=none, max=none, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'length', 'column': column_name, 'min': min, 'max': max, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_pattern(model, column_name, pattern, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'pattern', 'column': column_name, 'pattern': pattern, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_format(model, column_name, format, pattern, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'format', 'column': column_name, 'pattern': pattern, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_integer(model, column_name, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'integer', 'column': column_name, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_consent(model, preference, column_name=none, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'consent', 'column': column_name, 'preference': preference, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_sunset(model, column_name, sunset, event=none, within=none) -%}
  {{ eventsc_test_sql(model, {'test': 'sunset', 'column': column_name, 'sunset': sunset, 'event': event, 'within': within}) }}
{%- endtest %}

{% test eventsc_unique(model, column_name) -%}
  {%- set rel = eventsc_load(model) -%}
  {%- if rel is none -%}
    select 1 as eventsc_no_table where 1 = 0
  {%- else -%}
    {%- set c = eventsc_column(column_name) -%}
    select {{ c }} from {{ model }} where {{ c }} is not null group by {{ c }} having count(*) > 1
  {%- endif -%}
{%- endtest %}

{#- An implemented event's table must exist: Segment makes it on the first call. -#}
{% test eventsc_table_exists(model) -%}
  {%- if eventsc_load(model) is none -%}
    select 1 as eventsc_no_table
  {%- else -%}
    select 1 as eventsc_no_table where 1 = 0
  {%- endif -%}
{%- endtest %}

{% test eventsc_true(model, column_name) -%}
  select * from {{ model }} where not {{ eventsc_column(column_name) }}
{%- endtest %}

{#- ---------------------------------------------------------------------------
    The QA verdict: the models eventsc_qa_defects and eventsc_qa_summary.
-#}

{#- The QA window on `received_at`: since var eventsc_qa_since (an ISO date or
    date-time; default: eventsc_qa_days, 7, days before now), until var
    eventsc_qa_until (default: no end). -#}
{% macro eventsc_window(column) -%}
  {%- set iso = '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)?' -%}
  {%- set since = var('eventsc_qa_since', none) -%}
  {%- set until = var('eventsc_qa_until', none) -%}
  {%- set c = eventsc_column(column) -%}
  {%- set parts = [] -%}
  {%- if since is none -%}
    {%- do parts.append(c ~ ' >= ' ~ dbt.dateadd('day', -1 * (var('eventsc_qa_days', 7) | int), dbt.current_timestamp())) -%}
  {%- else -%}
    {%- if not modules.re.fullmatch(iso, since | string) -%}
      {{ exceptions.raise_compiler_error("eventsc_qa_since: expected an ISO date or date-time, got " ~ since) }}
    {%- endif -%}
    {%- do parts.append(c ~ " >= cast('" ~ since ~ "' as " ~ dbt.type_timestamp() ~ ")") -%}
  {%- endif -%}
  {%- if until is not none -%}
    {%- if not modules.re.fullmatch(iso, until | string) -%}
      {{ exceptions.raise_compiler_error("eventsc_qa_until: expected an ISO date or date-time, got " ~ until) }}
    {%- endif -%}
    {%- do parts.append(c ~ " < cast('" ~ until ~ "' as " ~ dbt.type_timestamp() ~ ")") -%}
  {%- endif -%}
  {{- return('(' ~ parts | join(' and ') ~ ')') -}}
{%- endmacro %}

{#- One row per check (`checks`: id, subject, call, column, rule, location,
    each text as hex). -#}
{% macro eventsc_qa_checks(checks) -%}
  select
    cast(null as {{ dbt.type_int() }}) as check_id,
    cast(null as {{ dbt.type_string() }}) as event,
    cast(null as {{ dbt.type_string() }}) as call_type,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as rule,
    cast(null as {{ dbt.type_string() }}) as location
  where 1 = 0
  {%- for c in checks %}
  union all
  select {{ c[0] }}, {{ eventsc_text(c[1]) }}, {{ eventsc_text(c[2]) }},
    {{ eventsc_text(c[3]) }}, {{ eventsc_text(c[4]) }}, {{ eventsc_text(c[5]) }}
  {%- endfor %}
{%- endmacro %}

{#- The rows breaking checks: `tables` is a list of [relation, [check, …]],
    each check a dict with its `id`. -#}
{% macro eventsc_qa_hits(tables) -%}
  select
    cast(null as {{ dbt.type_int() }}) as check_id,
    cast(null as {{ dbt.type_string() }}) as message_id,
    cast(null as {{ dbt.type_timestamp() }}) as received_at,
    cast(null as {{ dbt.type_string() }}) as event_text
  where 1 = 0
  {%- for t in tables %}
    {%- set rel = eventsc_load(t[0]) -%}
    {%- if rel is not none -%}
      {%- set columns = eventsc_columns(rel) -%}
      {%- set window = eventsc_window('received_at') -%}
      {#- Track calls are reported under the event name they carry. -#}
      {%- if columns is none or 'event_text' in columns -%}
        {%- set event_text = eventsc_column('event_text') -%}
      {%- else -%}
        {%- set event_text = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
      {%- endif -%}
      {%- for check in t[1] %}
  union all
  select {{ check.id }}, {{ eventsc_column('id') }}, {{ eventsc_column('received_at') }}, {{ event_text }}
  from {{ t[0] }}
  where {{ window }} and {{ eventsc_scope(check, columns) }} and {{ eventsc_condition(check, columns) }}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor %}
{%- endmacro %}

{#- The event names seen in the window among `names` (hex), in `tracks`
    tables (an event with versions is seen when a call of any version is). -#}
{% macro eventsc_qa_observed(tracks, names) -%}
  select cast(null as {{ dbt.type_string() }}) as event_text where 1 = 0
  {%- if names -%}
    {%- set values = [] -%}
    {%- for v in names -%}{%- do values.append(eventsc_text(v)) -%}{%- endfor -%}
    {%- for t in tracks %}
      {%- set rel = eventsc_load(t) -%}
      {%- if rel is not none %}
  union
  select distinct {{ eventsc_column('event_text') }}
  from {{ t }}
  where {{ eventsc_window('received_at') }}
    and {{ eventsc_column('event_text') }} in ({{ values | join(', ') }})
      {%- endif -%}
    {%- endfor -%}
  {%- endif %}
{%- endmacro %}

{#- eventsc_qa_summary: the verdict of `eventsc validate` over the window. The
    plan's QA policy (src/ir/qa.rs) is computed by eventsc: `required` is how
    many of the `in_scope` events must be observed. -#}
{% macro eventsc_qa_summary(defects, tracks, in_scope, required, coverage_target, defect_ceiling) -%}
  {%- set planned = in_scope | length -%}
  {%- set required = eventsc_number(required) -%}
  {%- set target = eventsc_number(coverage_target) -%}
  {%- set ceiling = eventsc_number(defect_ceiling) -%}
with observed as (
  {{ eventsc_qa_observed(tracks, in_scope) }}
),
counts as (
  select
    (select count(distinct event_text) from observed) as events_observed,
    (select count(distinct message_id) from {{ defects }}) as defect_count
)
select
  {{ planned }} as events_in_scope,
  events_observed,
  {{ required }} as events_required,
  case when {{ planned }} = 0 then 100.0
    else events_observed * 100.0 / {{ planned }} end as coverage_percent,
  {{ target }} as coverage_target,
  case when events_observed >= {{ required }} then true else false end as coverage_met,
  defect_count,
  {{ ceiling }} as defect_ceiling,
  case when defect_count <= {{ ceiling }} then true else false end as defects_met,
  case when events_observed >= {{ required }} and defect_count <= {{ ceiling }}
    then true else false end as passed
from counts
{%- endmacro %}
