" CUE files (Neovim before 0.8 does not know the extension).
autocmd BufRead,BufNewFile *.cue setfiletype cue
