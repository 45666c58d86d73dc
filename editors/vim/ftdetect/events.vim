" eventsc tracking plans: *.events files.
autocmd BufNewFile,BufRead *.events setfiletype events
