-- wrk script: POST /api/chats/{id}/messages round-robin over the chats in $SESHAT_TOKENS
-- ("id token" lines). The requests are built once per thread, and answers are counted by wrk
-- itself (no response() callback): Lua work per request would be charged to the server, which
-- shares the two cores with wrk.
local prefix = os.getenv("SESHAT_PREFIX") or "/seshat"

local requests, next_index = {}, 0
function init()
  for line in io.lines(os.getenv("SESHAT_TOKENS")) do
    local id, token = line:match("^(%d+) (%S+)$")
    if id then
      requests[#requests + 1] = wrk.format("POST", prefix .. "/api/chats/" .. id .. "/messages",
        { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
        '{"text":"ingest"}')
    end
  end
  next_index = offset
end

local count = 0
function setup(thread)
  thread:set("offset", count * 7919)
  count = count + 1
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary)
  local refused = summary.errors.status  -- answers other than 2xx/3xx; the API's only 2xx here is 202
  local accepted = summary.requests - refused
  io.write(string.format("INGEST {\"accepted\": %d, \"refused\": %d, \"per_s\": %.1f}\n",
    accepted, refused, accepted / (summary.duration / 1e6)))
end
