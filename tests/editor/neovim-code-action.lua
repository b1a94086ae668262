-- kmslint's code actions applied by Neovim's built-in LSP client, headless.
--
-- tests/neovim.rs runs it as
--   nvim --headless --clean -u NONE -i NONE -c "luafile tests/editor/neovim-code-action.lua"
-- with the environment:
--   KMSLINT_BIN      the kmslint binary
--   KMSLINT_FILE     a key policy with `"Effect": "allow"` after non-ASCII text, and no `Version`
--   KMSLINT_LNUM     0-based line of `"allow"`
--   KMSLINT_COL      0-based byte column of `"allow"` (Neovim counts bytes, the server UTF-16)
-- It applies the quick fix of `allow`, then the fix-all action, saves the file, and prints
-- `ok: …` or `FAIL: …` for each check; it exits 0 when every check passed.
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

  local function has(code)
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if code_of(d) == code then
        return true
      end
    end
    return false
  end

  vim.wait(15000, function() return has('KMS016') end, 20)
  if not check(has('KMS016'), 'KMS016 is reported after opening the policy') then
    return
  end

  -- The code actions at `allow`, asked as `vim.lsp.buf.code_action()` asks them.
  local function actions(only)
    local line = vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, true)[1]
    local _, character = vim.str_utfindex(line, col + 2)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = {
        start = { line = lnum, character = character },
        ['end'] = { line = lnum, character = character },
      },
      context = { diagnostics = {}, only = only },
    }
    local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000) or {}
    local out = {}
    for _, response in pairs(responses) do
      for _, action in ipairs(response.result or {}) do
        table.insert(out, action)
      end
    end
    return out
  end

  local fix
  for _, action in ipairs(actions({ 'quickfix' })) do
    if action.title == 'Set `Effect` to `Allow`' then
      fix = action
    end
  end
  if not check(fix ~= nil, 'the server offers `Set `Effect` to `Allow`` at `allow`') then
    return
  end
  check(fix.isPreferred == true, 'the safe fix is preferred')
  vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
  local line = vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, true)[1]
  check(string.sub(line, col + 1, col + 7) == '"Allow"',
    'the fix replaced `allow` in place (got ' .. string.sub(line, col + 1, col + 7) .. ')')
  vim.wait(15000, function() return not has('KMS016') end, 20)
  check(not has('KMS016'), 'KMS016 is gone after the fix')

  -- Fix all, as `editor.codeActionsOnSave` asks for it.
  local all = actions({ 'source.fixAll' })
  if not check(#all == 1 and all[1].kind == 'source.fixAll.kmslint',
      'fix-all is the one action of kind source.fixAll (got ' .. #all .. ')') then
    return
  end
  vim.lsp.util.apply_workspace_edit(all[1].edit, 'utf-16')
  vim.wait(15000, function() return not has('KMS012') end, 20)
  check(not has('KMS012'), 'KMS012 is gone after fix-all')
  vim.cmd('write')

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
