-- Driven by tests/lsp_editor.rs: Neovim's built-in LSP client starts
-- `avenant lsp` on a policy, waits for its diagnostics, asks for a hover,
-- writes both to a JSON file, and quits. Neovim 0.7 (Debian 12) and later.
local out = os.getenv("AVENANT_OUT")
local function finish(result)
  local file = io.open(out, "w")
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd("qa!")
end

vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local ok, error = pcall(function()
      vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("AVENANT_FILE")))
      local buffer = vim.api.nvim_get_current_buf()
      local client = vim.lsp.start_client({
        name = "avenant",
        cmd = { os.getenv("AVENANT_BIN"), "lsp" },
        root_dir = vim.fn.fnamemodify(os.getenv("AVENANT_FILE"), ":h"),
      })
      vim.lsp.buf_attach_client(buffer, client)
      vim.wait(20000, function() return #vim.diagnostic.get(buffer) > 0 end, 50)
      local diagnostics = {}
      for _, diagnostic in ipairs(vim.diagnostic.get(buffer)) do
        local lsp = (diagnostic.user_data or {}).lsp or {}
        table.insert(diagnostics, {
          line = diagnostic.lnum + 1,
          column = diagnostic.col + 1,
          severity = diagnostic.severity,
          code = diagnostic.code or lsp.code,
          message = diagnostic.message,
        })
      end
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(buffer) },
        position = { line = tonumber(os.getenv("AVENANT_HOVER_LINE")), character = tonumber(os.getenv("AVENANT_HOVER_CHARACTER")) },
      }
      local answers = vim.lsp.buf_request_sync(buffer, "textDocument/hover", params, 20000) or {}
      local hover = vim.NIL
      for _, answer in pairs(answers) do
        if answer.result then hover = answer.result.contents.value end
      end
      finish({ diagnostics = diagnostics, hover = hover })
    end)
    if not ok then finish({ error = tostring(error) }) end
  end,
})
