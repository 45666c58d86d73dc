" Vim syntax file
" Language:    eventsc tracking plans (.events)
" Reference:   the `.events` language reference; grammar/events.pest
"
" Keywords are contextual, as in the language: a declaration kind is only a
" keyword at the top level, a field name only at the start of a statement
" inside a block, and `name:` is always a property (so a property may be called
" `status` or `source`).

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn sync fromstart

" --- Comments and strings (everywhere)
syn keyword eventsTodo contained TODO FIXME XXX NOTE
syn match   eventsComment excludenl "//.*$" contains=eventsTodo,@Spell

syn match   eventsEscapeError contained "\\."
syn match   eventsEscapeError contained "\\u{[^}\"]*}\="
syn match   eventsEscape      contained +\\["\\nt]+
syn match   eventsEscape      contained "\\u{\x\{1,6}}"
syn region  eventsString start=+"+ skip=+\\\\\|\\"+ excludenl end=+"\|$+ contains=eventsEscape,eventsEscapeError,@Spell

" --- Values
" A bare word in value position: a declared name or a keyword value.
syn match   eventsWord contained "\<\h[A-Za-z0-9_-]*"

syn match   eventsOwner    "@[A-Za-z0-9._-]*"
syn match   eventsNumber   "-\=\<\d\+\%(\.\d\+\)\=\>"
syn match   eventsPercent  "-\=\<\d\+\%(\.\d\+\)\=%"
syn match   eventsDate     "\<\d\{4}-\d\d-\d\d\>"
syn match   eventsDuration "\<\d\+\s\+\%(minutes\=\|hours\=\|days\=\|weeks\=\|months\=\|years\=\)\>" contains=eventsNumber,eventsUnit
syn match   eventsUnit     contained "\<\%(minutes\=\|hours\=\|days\=\|weeks\=\|months\=\|years\=\)\>"
syn match   eventsWindowIn "\%(\<\d\+\s\+\)\@<=in\ze\s\+\d"
syn keyword eventsBoolean  contained true false
syn match   eventsOperator contained "="
syn keyword eventsLevel    contained error warn off
syn keyword eventsArgKey   contained reason

syn cluster eventsValues contains=eventsWord,eventsComment,eventsString,eventsOwner,eventsNumber,eventsPercent,eventsDate,eventsDuration,eventsWindowIn,eventsBoolean,eventsParens,eventsBrackets

syn region  eventsParens   contained matchgroup=eventsDelimiter start="(" end=")" contains=@eventsValues,eventsArgKey
syn region  eventsBrackets contained matchgroup=eventsDelimiter start="\[" end="\]" contains=@eventsValues

" --- Inside a block: properties, fields, rule settings, nested blocks
syn region  eventsBlock matchgroup=eventsDelimiter start="{" end="}" fold
      \ contains=@eventsValues,eventsProperty,eventsField,eventsRuleSetting,eventsBlock,eventsOperator,eventsLevel

" `"rule/name" = level` (in `rules { }`)
syn match   eventsRuleSetting contained +"[^"]*"\ze\s*=+

" A field: the first word of a statement that is not followed by `:`.
syn match   eventsField contained "\%(^\s*\|[{;]\s*\)\@<=\h\w*\>\%(\s*:\)\@!"

" A property: `name: type modifier* "description"`, to the end of the line
" (an `object { }` type or a multi-line argument list extends it).
syn region  eventsProperty contained matchgroup=eventsPropertyName start=+\%(^\s*\|[{;]\s*\)\@<=\%(\h\w*\|"\%([^"\\]\|\\.\)*"\)\ze\s*:+ end="$\|;\|\ze}"
      \ contains=eventsColon,eventsUnion,eventsModifier,@eventsValues,eventsBlock
syn match   eventsColon    contained ":" nextgroup=eventsEnumType,eventsType,eventsListType,eventsInlineEnum,eventsObjectType skipwhite
syn match   eventsEnumType contained "\<\h\w*\>"
syn keyword eventsType     contained string integer number boolean datetime date any
" `string | integer`: a union; the next member is a type.
syn match   eventsUnion    contained "|" nextgroup=eventsEnumType,eventsType,eventsListType,eventsInlineEnum,eventsObjectType skipwhite
" `list( … )`: the item type first (a named enum, a built-in type, a nested
" `list(…)`, an inline `enum(…)` or an `object { … }` block), then the items'
" modifiers; strings, argument lists and blocks are regions of their own, so a
" `)` in a description or in `enum("a", "b")` does not end the list.
syn match   eventsListType contained "\<list\ze\s*(" nextgroup=eventsListArg skipwhite
syn region  eventsListArg  contained matchgroup=eventsDelimiter start="(" end=")"
      \ contains=eventsListItem,eventsUnion,eventsType,eventsListType,eventsInlineEnum,eventsObjectType,eventsModifier,eventsBlock,@eventsValues
syn match   eventsListItem contained "\%((\s*\)\@<=\h\w*"
syn match   eventsInlineEnum contained "\<enum\ze\s*(" nextgroup=eventsEnumArgs skipwhite
syn region  eventsEnumArgs contained matchgroup=eventsDelimiter start="(" end=")" contains=eventsString,eventsNumber,eventsBoolean,eventsComment
syn match   eventsObjectType contained "\<object\ze\s*{"
syn keyword eventsModifier contained required nullable deprecated closed min max multiple_of min_length max_length
syn keyword eventsModifier contained pattern not_pattern format not_enum pii consent retention example allow

" --- Top level: declarations
syn keyword eventsDeclString  plan kpi nextgroup=eventsDeclTitle skipwhite
syn keyword eventsDeclEvent   event page screen nextgroup=eventsEventName skipwhite
syn keyword eventsDeclIdent   consent retention source tool enum bundle nextgroup=eventsDeclName skipwhite
syn keyword eventsDeclOwner   owner nextgroup=eventsDeclOwnerName skipwhite
syn keyword eventsDeclAnon    common envelope identify group
syn region  eventsDeclTitle   contained start=+"+ skip=+\\\\\|\\"+ excludenl end=+"\|$+ contains=eventsEscape,eventsEscapeError
syn region  eventsEventName   contained start=+"+ skip=+\\\\\|\\"+ excludenl end=+"\|$+ contains=eventsEscape,eventsEscapeError
syn match   eventsDeclName    contained "\<\h\w*\>"
syn match   eventsDeclOwnerName contained "@[A-Za-z0-9._-]*"
syn match   eventsSemicolon ";"

hi def link eventsTodo          Todo
hi def link eventsComment       Comment
hi def link eventsString        String
hi def link eventsEscape        SpecialChar
hi def link eventsEscapeError   Error
hi def link eventsOwner         Special
hi def link eventsNumber        Number
hi def link eventsPercent       Float
hi def link eventsDate          Constant
hi def link eventsDuration      Number
hi def link eventsUnit          Type
hi def link eventsWindowIn      Operator
hi def link eventsWord          Constant
hi def link eventsBoolean       Boolean
hi def link eventsOperator      Operator
hi def link eventsLevel         Constant
hi def link eventsArgKey        Keyword
hi def link eventsDelimiter     Delimiter
hi def link eventsSemicolon     Delimiter
hi def link eventsRuleSetting   String
hi def link eventsField         Keyword
hi def link eventsPropertyName  Identifier
hi def link eventsColon         Delimiter
hi def link eventsUnion         Operator
hi def link eventsEnumType      Type
hi def link eventsType          Type
hi def link eventsListType      Type
hi def link eventsInlineEnum    Type
hi def link eventsListItem      Type
hi def link eventsObjectType    Type
hi def link eventsModifier      StorageClass
hi def link eventsDeclString    Structure
hi def link eventsDeclEvent     Structure
hi def link eventsEventName     Title
hi def link eventsDeclIdent     Structure
hi def link eventsDeclOwner     Structure
hi def link eventsDeclAnon      Structure
hi def link eventsDeclTitle     Function
hi def link eventsDeclName      Function
hi def link eventsDeclOwnerName Function

let b:current_syntax = 'events'

let &cpo = s:cpo_save
unlet s:cpo_save
