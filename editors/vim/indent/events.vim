" Indentation for eventsc tracking plans: one level per open `{`, `(` or `[`.
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

function! s:Balance(code) abort
  let opens = len(substitute(a:code, '[^{(\[]', '', 'g'))
  let closes = len(substitute(a:code, '[^})\]]', '', 'g'))
  return opens - closes
endfunction

function! EventsIndent(lnum) abort
  let prev = prevnonblank(a:lnum - 1)
  if prev == 0
    return 0
  endif
  let pcode = s:Code(prev)
  " Closers that start the previous line were counted when it was indented.
  let leading = len(matchstr(pcode, '^\s*\zs[})\]]\+'))
  let ind = indent(prev) + (s:Balance(pcode) + leading) * shiftwidth()
  " Each closer that starts this line goes back one level.
  let ind -= len(matchstr(s:Code(a:lnum), '^\s*\zs[})\]]\+')) * shiftwidth()
  return ind < 0 ? 0 : ind
endfunction
