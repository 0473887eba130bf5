-- Commands of the plancheck plugin. The server starts only after
-- require('plancheck').setup() (see lua/plancheck/init.lua).
if vim.g.loaded_plancheck then
  return
end
vim.g.loaded_plancheck = true

vim.api.nvim_create_user_command('PlancheckRestart', function()
  require('plancheck').restart()
end, { desc = 'restart the plancheck language server' })

vim.api.nvim_create_user_command('PlancheckInfo', function()
  local plancheck = require('plancheck')
  local lines = { 'plancheck: cmd = ' .. table.concat(plancheck.config.cmd, ' ') }
  for root, id in pairs(plancheck.clients()) do
    table.insert(lines, ('  client %d for %s'):format(id, root))
  end
  vim.notify(table.concat(lines, '\n'), vim.log.levels.INFO)
end, { desc = 'show the plancheck language server clients' })
