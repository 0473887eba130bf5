-- CUE has only line comments; `cue fmt` indents with tabs.
vim.bo.commentstring = '// %s'
vim.bo.comments = '://'
vim.bo.expandtab = false
vim.b.undo_ftplugin = (vim.b.undo_ftplugin and (vim.b.undo_ftplugin .. ' | ') or '')
  .. 'setlocal commentstring< comments< expandtab<'
