-- wrk script: POST /api/chats/{id}/messages round-robin over the chats in $SESHAT_TOKENS
-- ("id token" lines), counting 202 answers (every one a message committed to the store).
local prefix = os.getenv("SESHAT_PREFIX") or "/seshat"
local tickets = {}
for line in io.lines(os.getenv("SESHAT_TOKENS")) do
  local id, token = line:match("^(%d+) (%S+)$")
  if id then tickets[#tickets + 1] = { id, token } end
end

local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  threads[#threads + 1] = thread
end

accepted, refused, next_index = 0, 0, 0
function request()
  next_index = next_index + 1
  local ticket = tickets[((next_index + offset) % #tickets) + 1]
  return wrk.format("POST", prefix .. "/api/chats/" .. ticket[1] .. "/messages",
    { ["Authorization"] = "Bearer " .. ticket[2], ["Content-Type"] = "application/json" },
    '{"text":"ingest"}')
end

function response(status)
  if status == 202 then accepted = accepted + 1 else refused = refused + 1 end
end

function done(summary)
  local ok, other = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("accepted")
    other = other + thread:get("refused")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("INGEST {\"accepted\": %d, \"refused\": %d, \"per_s\": %.1f}\n",
    ok, other, ok / seconds))
end
