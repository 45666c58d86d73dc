" Indentation for eventsc tracking plans: one level per line that leaves a
" `{`, `(` or `[` open (the layout of `eventsc fmt`).
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=EventsIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,e
setlocal nolisp nosmartindent nocindent autoindent

let b:undo_indent = 'setlocal indentexpr< indentkeys< lisp< smartindent< cindent< autoindent<'

if exists('*EventsIndent')
  finish
endif

" The line without its comment and the strings' contents (so that braces in
" them do not count).
function! s:Code(lnum) abort
  let line = getline(a:lnum)
  let line = substitute(line, '"\%([^"\\]\|\\.\)*"', '""', 'g')
  return substitute(line, '//.*$', '', '')
endfunction

" The brackets a line leaves open and the ones it closes that it did not open:
" [unmatched openers, unmatched closers, closers that start the line].
function! s:Brackets(code) abort
  let open = 0
  let close = 0
  for c in split(substitute(a:code, '[^{}()\[\]]', '', 'g'), '\zs')
    if c =~# '[{(\[]'
      let open += 1
    elseif open > 0
      let open -= 1
    else
      let close += 1
    endif
  endfor
  return [open, close, len(matchstr(a:code, '^\s*\zs[})\]]\+'))]
endfunction

" One level per line that leaves brackets open, as `eventsc fmt` indents:
" `items: list(object {` opens one level, and `})` closes it.
function! EventsIndent(lnum) abort
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  let [open, close, leading] = s:Brackets(s:Code(prev))
  " Closers that start the previous line were counted when it was indented.
  let ind = indent(prev) + ((open > 0) - (close - leading > 0)) * shiftwidth()
  " Closers that start this line go back one level.
  let ind -= (s:Brackets(s:Code(a:lnum))[2] > 0) * shiftwidth()
  return ind < 0 ? 0 : ind
endfunction
