#!/usr/bin/env bash
# Runs `pitfall server` under Neovim's built-in LSP client, headless: opens a Python file
# with pitfalls, waits for the diagnostics, asks for code actions and a hover, and prints
# what Neovim received as JSON, after applying the preferred fix in the buffer. Exits
# non-zero if the diagnostics or the hover never arrive or the fix comes out wrong.
#
#   scripts/nvim-smoke.sh [PATH-TO-PITFALL]     (default: target/debug/pitfall)
#
# Needs `nvim` (0.7 or newer; `apt-get install neovim`). Not part of CI: a manual check
# that a real client and the server agree.
set -euo pipefail
cd "$(dirname "$0")/.."
pitfall=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/debug/pitfall}")
command -v nvim >/dev/null || { echo "nvim is not installed" >&2; exit 2; }
[ -x "$pitfall" ] || { echo "no pitfall binary at $pitfall (cargo build first)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project"
printf '[tool.pitfall]\nignore = ["bare-except"]\n' > "$work/project/pyproject.toml"
cat > "$work/project/app.py" <<'PY'
# Emoji before a finding: positions must count UTF-16 code units (or UTF-8 if agreed).
label = "😀 café"; found = label == None


def add(item, items=[]):
    items.append(item)
    return items


try:
    pass
except:
    pass
PY

cat > "$work/init.lua" <<LUA
local out = "$work/result.json"
local function start(bufnr)
  local config = {
    name = "pitfall",
    cmd = { "$pitfall", "server" },
    root_dir = "$work/project",
    workspace_folders = { { uri = vim.uri_from_fname("$work/project"), name = "project" } },
  }
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = bufnr })
  else -- Neovim 0.7
    local id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, id)
  end
end
vim.api.nvim_create_autocmd("FileType", {
  pattern = "python",
  callback = function(args) start(args.buf) end,
})
vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local result = { nvim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) }
    local arrived = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
    result.arrived = arrived
    result.diagnostics = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      table.insert(result.diagnostics, {
        lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
        severity = d.severity, source = d.source, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code),
        message = d.message,
      })
    end
    local client = vim.lsp.get_active_clients()[1]
    result.offset_encoding = client and client.offset_encoding
    local line = vim.api.nvim_buf_get_lines(0, 1, 2, false)[1]
    local byte = string.find(line, "label == None", 1, true) - 1
    local _, col = vim.str_utfindex(line, byte) -- (UTF-32, UTF-16) indices
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      range = { start = { line = 1, character = col }, ["end"] = { line = 1, character = col } },
      context = { diagnostics = {} },
    }
    local actions = vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 10000) or {}
    result.actions = {}
    local preferred
    for _, response in pairs(actions) do
      for _, action in ipairs(response.result or {}) do
        table.insert(result.actions, action.title)
        if action.isPreferred then preferred = action end
      end
    end
    local hover = vim.lsp.buf_request_sync(0, "textDocument/hover",
      { textDocument = params.textDocument, position = params.range.start }, 10000) or {}
    for _, response in pairs(hover) do
      if response.result then result.hover = response.result.contents.value end
    end
    -- Neovim applies the preferred fix itself: the line with the emoji must come out right.
    if preferred then
      vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding)
      result.fixed_line = vim.api.nvim_buf_get_lines(0, 1, 2, false)[1]
    end
    local file = io.open(out, "w")
    file:write(vim.fn.json_encode(result))
    file:close()
    vim.cmd("qa!")
  end,
})
LUA

(cd "$work/project" && timeout 60 nvim --headless -n -u "$work/init.lua" app.py) || true
[ -s "$work/result.json" ] || { echo "Neovim wrote no result" >&2; exit 1; }
python3 -m json.tool "$work/result.json"
python3 - "$work/result.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
problems = []
if not result.get("arrived"):
    problems.append("no diagnostics arrived")
if "none-comparison" not in (result.get("hover") or ""):
    problems.append("no hover over the finding")
if result.get("fixed_line") != 'label = "😀 café"; found = label is None':
    problems.append(f"the preferred fix gave {result.get('fixed_line')!r}")
if problems:
    sys.exit("; ".join(problems))
PY
