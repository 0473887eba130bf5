-- plancheck for Neovim: starts the plancheck language server (plancheck-lsp) for CUE
-- build plans with the built-in LSP client. Works on Neovim 0.7 and later.
--
--   require('plancheck').setup({
--     cmd = { 'plancheck-lsp' },
--     default_platform = 'linux/amd64',
--     root_markers = { 'cue.mod', '.git' },
--   })
local M = {}

local uv = vim.loop

local defaults = {
  -- The server's command line (the server speaks LSP over stdio).
  cmd = { 'plancheck-lsp' },
  -- Extra environment for the server process.
  cmd_env = nil,
  -- Platform of pipelines that name none; sent as initializationOptions.defaultPlatform
  -- and as the `plancheck.defaultPlatform` setting.
  default_platform = 'linux/amd64',
  -- Markers of the project root, in priority order: the nearest folder holding the first
  -- marker wins, the next marker is tried only when no folder holds the first one. The
  -- folder holding `cue.mod` is the CUE module root.
  root_markers = { 'cue.mod', '.git' },
  -- A function(path, bufnr) returning the root folder, or nil to fall back to the markers.
  root_dir = nil,
  -- Without any marker, serve the file's own folder.
  single_file_support = true,
  filetypes = { 'cue' },
  -- Merged into initializationOptions (defaultPlatform is always set).
  init_options = {},
  -- Answered to workspace/configuration, merged over { plancheck = { defaultPlatform = … } }.
  settings = {},
  on_attach = nil,
  on_init = nil,
  capabilities = nil,
  handlers = nil,
  flags = nil,
  autostart = true,
  name = 'plancheck',
}

M.config = vim.deepcopy(defaults)

-- root folder -> client id
local clients_by_root = {}
local warned_missing = false
local augroup = nil

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == 'directory'
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  local parent = path:match('^(.*)/[^/]*$')
  if parent == nil or parent == '' then
    return '/'
  end
  return parent
end

local function absolute(path)
  if path:sub(1, 1) ~= '/' then
    path = uv.cwd() .. '/' .. path
  end
  return (uv.fs_realpath(path) or path):gsub('/+$', '')
end

--- The root folder for `path`: for each marker in order, the nearest folder at or above
--- the file that holds it. Returns nil when no folder holds any marker.
function M.find_root(path, markers)
  markers = markers or M.config.root_markers
  local start = absolute(path)
  if not is_dir(start) then
    start = dirname(start)
  end
  for _, marker in ipairs(markers) do
    local dir = start
    while true do
      if exists(dir .. '/' .. marker) then
        return dir
      end
      local parent = dirname(dir)
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end

local function resolve_root(bufnr, path)
  local root = nil
  if type(M.config.root_dir) == 'function' then
    root = M.config.root_dir(path, bufnr)
  elseif type(M.config.root_dir) == 'string' then
    root = M.config.root_dir
  end
  if root == nil then
    root = M.find_root(path, M.config.root_markers)
  end
  if root == nil and M.config.single_file_support then
    root = dirname(absolute(path))
  end
  return root
end

--- The client configuration for a root folder (as passed to vim.lsp.start_client).
function M.client_config(root)
  local cfg = M.config
  local init_options = vim.tbl_deep_extend('force', {}, cfg.init_options or {}, {
    defaultPlatform = cfg.default_platform,
  })
  local settings = vim.tbl_deep_extend('force', {
    plancheck = { defaultPlatform = cfg.default_platform },
  }, cfg.settings or {})
  return {
    name = cfg.name,
    cmd = cfg.cmd,
    cmd_env = cfg.cmd_env,
    root_dir = root,
    workspace_folders = {
      { uri = vim.uri_from_fname(root), name = root },
    },
    init_options = init_options,
    settings = settings,
    capabilities = cfg.capabilities or vim.lsp.protocol.make_client_capabilities(),
    handlers = cfg.handlers,
    flags = cfg.flags,
    on_init = cfg.on_init,
    on_attach = cfg.on_attach,
    on_exit = function(_, _, client_id)
      for dir, id in pairs(clients_by_root) do
        if id == client_id then
          clients_by_root[dir] = nil
        end
      end
    end,
  }
end

local function live_client(id)
  if id == nil then
    return nil
  end
  local client = vim.lsp.get_client_by_id(id)
  -- Called with the client as first argument: a method on Neovim 0.11+, a closure that
  -- ignores its arguments before.
  if client == nil or client.is_stopped(client) then
    return nil
  end
  return client
end

--- Starts (or reuses) the client of the buffer's root and attaches the buffer.
--- Returns the client id, or nil when the buffer has no file or the server cannot start.
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local root = resolve_root(bufnr, path)
  if root == nil then
    return nil
  end

  local client = live_client(clients_by_root[root])
  if client == nil then
    local executable = M.config.cmd[1]
    if vim.fn.executable(executable) ~= 1 then
      if not warned_missing then
        warned_missing = true
        vim.notify(
          ('plancheck: `%s` is not executable; install it with `pip install "plancheck[lsp]"` '
            .. 'or set `cmd` in require("plancheck").setup()'):format(executable),
          vim.log.levels.WARN
        )
      end
      return nil
    end
    local id
    if vim.lsp.start ~= nil then
      -- Neovim 0.8+: vim.lsp.start_client is deprecated from 0.11 on.
      id = vim.lsp.start(M.client_config(root), {
        bufnr = bufnr,
        reuse_client = function(existing, config)
          return existing.name == config.name and existing.config.root_dir == config.root_dir
        end,
      })
    else
      id = vim.lsp.start_client(M.client_config(root))
    end
    if id == nil then
      return nil
    end
    clients_by_root[root] = id
    client = { id = id }
  end
  if not vim.lsp.buf_is_attached(bufnr, client.id) then
    vim.lsp.buf_attach_client(bufnr, client.id)
  end
  return client.id
end

--- The running clients, as { [root] = client_id }.
function M.clients()
  local result = {}
  for root, id in pairs(clients_by_root) do
    if live_client(id) ~= nil then
      result[root] = id
    end
  end
  return result
end

--- Stops every plancheck client.
function M.stop()
  for root, id in pairs(clients_by_root) do
    if live_client(id) ~= nil then
      vim.lsp.stop_client(id)
    end
    clients_by_root[root] = nil
  end
end

local function is_plancheck_filetype(ft)
  return vim.tbl_contains(M.config.filetypes, ft)
end

--- Restarts the server for every buffer of a plancheck filetype.
function M.restart()
  local buffers = {}
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and is_plancheck_filetype(vim.bo[bufnr].filetype) then
      table.insert(buffers, bufnr)
    end
  end
  M.stop()
  -- Give the old processes their shutdown before the new ones start.
  vim.defer_fn(function()
    for _, bufnr in ipairs(buffers) do
      if vim.api.nvim_buf_is_valid(bufnr) then
        M.start(bufnr)
      end
    end
  end, 500)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  -- Lists replace, they do not merge index by index.
  if opts and opts.cmd then
    M.config.cmd = opts.cmd
  end
  if opts and opts.root_markers then
    M.config.root_markers = opts.root_markers
  end
  if opts and opts.filetypes then
    M.config.filetypes = opts.filetypes
  end
  vim.validate({
    cmd = { M.config.cmd, 'table' },
    default_platform = { M.config.default_platform, 'string' },
    root_markers = { M.config.root_markers, 'table' },
    root_dir = { M.config.root_dir, { 'function', 'string' }, true },
    on_attach = { M.config.on_attach, 'function', true },
  })

  augroup = vim.api.nvim_create_augroup('plancheck', { clear = true })
  if not M.config.autostart then
    return
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = augroup,
    pattern = M.config.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
    desc = 'start the plancheck language server',
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and is_plancheck_filetype(vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

return M
