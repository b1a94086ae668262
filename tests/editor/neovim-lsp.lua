-- kmslint in a real editor: Neovim's built-in LSP client, headless.
--
-- tests/neovim.rs runs it as
--   nvim --headless --clean -u NONE -i NONE -c "luafile tests/editor/neovim-lsp.lua"
-- with the environment:
--   KMSLINT_BIN      the kmslint binary
--   KMSLINT_FILE     a key policy with an IAM group principal
--   KMSLINT_LNUM     0-based line of the group principal
--   KMSLINT_COL      0-based byte column of the group principal (Neovim counts bytes)
-- It prints `ok: …` or `FAIL: …` for each check and exits 0 when every check passed.
-- It works with Neovim 0.7 (`vim.lsp.start_client`) and newer versions.

local failed = false

local function say(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

local function check(ok, what)
  say((ok and 'ok: ' or 'FAIL: ') .. what)
  if not ok then
    failed = true
  end
  return ok
end

local function code_of(d)
  if d.code ~= nil then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local function run()
  local bin = assert(os.getenv('KMSLINT_BIN'), 'KMSLINT_BIN is not set')
  local file = assert(os.getenv('KMSLINT_FILE'), 'KMSLINT_FILE is not set')
  local lnum = tonumber(os.getenv('KMSLINT_LNUM'))
  local col = tonumber(os.getenv('KMSLINT_COL'))

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'kmslint',
    cmd = { bin, 'lsp' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
  })
  if not check(client_id ~= nil, 'the kmslint language server starts') then
    return
  end
  vim.lsp.buf_attach_client(buf, client_id)

  local function kms002()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if code_of(d) == 'KMS002' then
        return d
      end
    end
    return nil
  end

  -- Opening the policy: KMS002 at the group principal.
  vim.wait(15000, function() return kms002() ~= nil end, 20)
  local d = kms002()
  if check(d ~= nil, 'KMS002 is reported after opening the policy') then
    check(d.lnum == lnum and d.col == col,
      string.format('KMS002 is at line %d, column %d (got line %d, column %d)', lnum, col, d.lnum, d.col))
    check(d.source == 'kmslint', 'the diagnostic comes from kmslint (got ' .. tostring(d.source) .. ')')
    check(d.severity == vim.diagnostic.severity.ERROR, 'KMS002 is an error')
  end

  -- Editing `group/` to `role/`: KMS002 goes away.
  local line = vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, true)[1]
  local at = string.find(line, 'group/', col + 1, true)
  if not check(at ~= nil, 'the principal line names a group') then
    return
  end
  vim.api.nvim_buf_set_text(buf, lnum, at - 1, lnum, at - 1 + #'group', { 'role' })
  vim.wait(15000, function() return kms002() == nil end, 20)
  check(kms002() == nil, 'KMS002 is gone after changing the group to a role')

  -- Typing in front of the principal and back to a group: KMS002 returns, moved right.
  vim.api.nvim_buf_set_text(buf, lnum, at - 1, lnum, at - 1 + #'role', { 'group' })
  vim.api.nvim_buf_set_text(buf, lnum, 0, lnum, 0, { '  ' })
  vim.wait(15000, function() return kms002() ~= nil end, 20)
  d = kms002()
  if check(d ~= nil, 'KMS002 is back after changing the role to a group') then
    check(d.lnum == lnum and d.col == col + 2,
      string.format('KMS002 moved to column %d (got %d)', col + 2, d.col))
  end

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
end

local ok, err = pcall(run)
if not ok then
  say('FAIL: the script stopped: ' .. tostring(err))
  failed = true
end
if failed then
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
