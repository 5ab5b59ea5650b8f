-- avenant policies in Neovim (0.8 or later): `.policy` files get the
-- avenant file type, and `avenant lsp` serves them. Copy this file to
-- ~/.config/nvim/plugin/avenant.lua, or `require` it from your init.lua.
-- The server works on a policy's directory as one chain of texts.
vim.filetype.add({ extension = { policy = "avenant" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = "avenant",
  callback = function(event)
    vim.bo[event.buf].commentstring = "# %s"
    vim.lsp.start({
      name = "avenant",
      cmd = { "avenant", "lsp" },
      root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(event.buf)),
    })
  end,
})

-- Each example's result is a code lens: refresh them as you type.
vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "TextChanged" }, {
  pattern = "*.policy",
  callback = function() pcall(vim.lsp.codelens.refresh) end,
})

-- :AvenantEvaluate path/to/profile.toml [YYYY-MM-DD] evaluates a profile
-- file against the policy being edited and shows the outcome (JSON).
vim.api.nvim_create_user_command("AvenantEvaluate", function(options)
  local arguments = { vim.uri_from_bufnr(0), vim.fn.fnamemodify(options.fargs[1], ":p"), options.fargs[2] }
  vim.lsp.buf_request(0, "workspace/executeCommand", { command = "avenant.evaluate", arguments = arguments },
    function(error, outcome)
      if error then
        vim.notify(error.message, vim.log.levels.ERROR)
        return
      end
      vim.cmd("vnew")
      vim.bo.filetype = "json"
      vim.api.nvim_buf_set_lines(0, 0, -1, false, vim.split(vim.fn.json_encode(outcome), "\n"))
    end)
end, { nargs = "+", complete = "file" })
