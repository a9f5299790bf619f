/**
 * The Lua scripts: one per check-then-act primitive, each touching the keys of one shard (one
 * hash slot) only, so each is atomic on standalone Redis, Sentinel and Cluster alike.
 *
 * Times are core's (`now`, in ms): every liveness check uses them. Redis' own clock (`TIME`) is
 * used to set eviction times, never earlier than the logical expiry on either clock, and to check
 * write deadlines (below).
 *
 * ioredis re-sends a command left unanswered when a connection drops, so a script may run twice,
 * or run late (a stalled server, a re-send after the caller gave up). Writes whose caller must
 * not see them happen late (a rotation, a login) carry a deadline on Redis' clock (see
 * `server-clock.ts`) and refuse to run after it. Each script is safe to run twice: a conditional update that already applied finds its condition false
 * and answers the record as it is (which core reads as the grace path of a rotation); a creation
 * finding its own identical record answers success again; ending a session or denying a token
 * again changes nothing and appends nothing; ending a user's sessions again bumps the version
 * once more (revoking more, never less).
 *
 * @module
 * @internal
 */
import { READ_FIELDS } from './record-codec.js'

const PRELUDE = `
local function int(n) return string.format('%d', n) end
local function fmt(n) return string.format('%.17g', n) end

local function redis_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- When Redis may drop an entry that core says expires at exp (core's now being now): never before
-- exp on core's clock, nor before exp - now from now on Redis' clock.
local function evict_at(exp, now)
  local at = redis_now() + (exp - now)
  if exp > at then at = exp end
  return math.ceil(at) + 1
end

-- Marks a session as ended until exp, the ended record's expiry (after it, it would have expired
-- anyway): the value is exp, for the reader to compare with its now.
local function mark_ended(key, exp, now)
  if exp > now then redis.call('SET', key, fmt(exp), 'PXAT', int(evict_at(exp, now))) end
end

-- Pushes a key's eviction time out to at, never in.
local function extend(key, at)
  local ttl = redis.call('PTTL', key)
  if ttl == -1 or (ttl >= 0 and redis_now() + ttl < at) then redis.call('PEXPIREAT', key, int(at)) end
end

local function field(flat, name)
  for i = 1, #flat, 2 do
    if flat[i] == name then return flat[i + 1] end
  end
  return nil
end

local function split_id(id)
  local ms, n = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(n)
end

-- The feed's bookkeeping: e (epoch), n (entries ever appended), ms (last id's ms), tms/tn (newest
-- trimmed id). A new one gets the given epoch; if the stream outlived it, n continues after the
-- stream's last id.
local function ensure_meta(stream, meta, epoch)
  if redis.call('HSETNX', meta, 'e', epoch) == 1 and redis.call('EXISTS', stream) == 1 then
    local info = redis.call('XINFO', 'STREAM', stream)
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' then
        local ms, n = split_id(info[i + 1])
        redis.call('HSET', meta, 'ms', int(ms), 'n', int(n))
      end
    end
  end
end

-- Appends an event with id <ms>-<n>: ms is the event time (never going back), n counts the
-- shard's entries, so a reader sees a gap as a jump in n. Then rings the doorbell.
local function append(stream, meta, epoch, channel, shard, at, fields)
  ensure_meta(stream, meta, epoch)
  local n = redis.call('HINCRBY', meta, 'n', 1)
  local ms = math.floor(at)
  local last = tonumber(redis.call('HGET', meta, 'ms') or '0')
  if ms < last then ms = last end
  redis.call('XADD', stream, int(ms) .. '-' .. int(n), unpack(fields))
  redis.call('HSET', meta, 'ms', int(ms))
  redis.call('PUBLISH', channel, shard)
end
`

/** A script: its source, with the prelude. */
function script(body: string): string {
  return `${PRELUDE}\n${body.trim()}\n`
}

/**
 * KEYS: version, record, index, stream, meta. ARGV: now, ver, expiresAt, sid, maxPerUser ('' = no
 * cap), record key prefix, epoch, channel, shard, sub, deadline (Redis time, ms), ended-mark key
 * prefix, then field/value pairs.
 * Answers {1, {ended ids}} (created, or this very record exists: a re-send, which answers no ids
 * since the first run ended them), {0} (the user's version moved on), {-1} (another live session
 * has this id), {-2} (it ran after its deadline: nothing written, the caller was told the store
 * did not answer). With a cap, the user's least recently seen live sessions are ended first, as
 * END_SESSION ends them, so the new one makes exactly maxPerUser.
 */
export const CREATE_SESSION = script(`
local now = tonumber(ARGV[1])
local existing = redis.call('HGETALL', KEYS[2])
local live = #existing > 0 and tonumber(field(existing, 'expiresAt')) > now
if live then
  local same = true
  for i = 13, #ARGV, 2 do
    if field(existing, ARGV[i]) ~= ARGV[i + 1] then same = false end
  end
  if same then return {1, {}} end
end
if redis_now() > tonumber(ARGV[11]) then return {-2} end
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[2]) then return {0} end
if live then return {-1} end
local ended = {}
if ARGV[5] ~= '' then
  local keep = tonumber(ARGV[5]) - 1
  local alive = {}
  for _, sid in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    local r = redis.call('HMGET', ARGV[6] .. sid, 'expiresAt', 'lastSeenAt')
    if not r[1] then
      redis.call('ZREM', KEYS[3], sid)
    elseif tonumber(r[1]) > now then
      alive[#alive + 1] = {sid, tonumber(r[2]), tonumber(r[1])}
    end
  end
  if #alive > keep then
    table.sort(alive, function(a, b)
      if a[2] ~= b[2] then return a[2] < b[2] end
      return a[1] < b[1]
    end)
    for i = 1, #alive - keep do
      local sid = alive[i][1]
      redis.call('DEL', ARGV[6] .. sid)
      redis.call('ZREM', KEYS[3], sid)
      mark_ended(ARGV[12] .. sid, alive[i][3], now)
      append(KEYS[4], KEYS[5], ARGV[7], ARGV[8], ARGV[9], now, {'t', 'session', 'a', ARGV[1], 's', ARGV[10], 'i', sid})
      ended[#ended + 1] = sid
    end
  end
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 13))
local at = evict_at(tonumber(ARGV[3]), now)
redis.call('PEXPIREAT', KEYS[2], int(at))
-- Forget index entries that expired a day ago (far beyond any clock skew between processes).
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. fmt(now - 86400000))
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
extend(KEYS[3], at)
return {1, ended}
`)

/**
 * KEYS: record, index. ARGV: now, sid, revision condition or '', '1' if refreshCurrent is a
 * condition, its value, lastSeenAt or '', '1' to drop the refresh hash, deadline (Redis time, ms),
 * sent at (Redis time, ms), refresh.rotatedAt of the patch or '', field/value pairs.
 * Answers {1, record} (applied), {0, record} (a condition failed), {0} (absent or expired) or
 * {-1} (it ran after its deadline: the caller was told the store did not answer, so nothing is
 * written). A rotation's rotatedAt is moved forward by however much more than 200 ms after its
 * sending the script ran (field ra), so the grace window counts from about when the rotation was
 * applied.
 */
export const UPDATE_SESSION = script(`
local now = tonumber(ARGV[1])
local t = redis_now()
if t > tonumber(ARGV[8]) then return {-1} end
local rec = redis.call('HGETALL', KEYS[1])
if #rec == 0 then return {0} end
local exp = tonumber(field(rec, 'expiresAt'))
if exp <= now then return {0} end
if (ARGV[3] ~= '' and tonumber(field(rec, 'revision')) ~= tonumber(ARGV[3]))
  or (ARGV[4] == '1' and field(rec, 'rc') ~= ARGV[5]) then
  return {0, rec}
end
if #ARGV >= 11 then redis.call('HSET', KEYS[1], unpack(ARGV, 11)) end
if ARGV[7] == '1' then redis.call('HDEL', KEYS[1], 'rc', 'ra') end
if ARGV[10] ~= '' then
  -- Ran late (a stalled server, a re-send): the rotation counts from about when it applied. The
  -- first 200 ms are not counted: they may be the round trip, a busy event loop and the clock
  -- estimate, and a grace window one round trip longer is no gain.
  local delay = t - tonumber(ARGV[9]) - 200
  if delay > 0 then
    redis.call('HSET', KEYS[1], 'ra', fmt(tonumber(ARGV[10]) + delay))
  else
    redis.call('HDEL', KEYS[1], 'ra')
  end
end
redis.call('HINCRBY', KEYS[1], 'revision', 1)
if ARGV[6] == '' then return {1, redis.call('HGETALL', KEYS[1])} end
exp = math.min(tonumber(field(rec, 'absoluteExpiresAt')), tonumber(ARGV[6]) + tonumber(field(rec, 'idleTimeoutMs')))
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[6], 'expiresAt', fmt(exp))
local out = redis.call('HGETALL', KEYS[1])
local at = evict_at(exp, now)
redis.call('PEXPIREAT', KEYS[1], int(at))
redis.call('ZADD', KEYS[2], fmt(exp), ARGV[2])
extend(KEYS[2], at)
return {1, out}
`)

/**
 * KEYS: record, index, stream, meta, ended mark. ARGV: now, sub, sid, epoch, channel, shard.
 * Answers the ended record if it was live, else nil. Appends a session event only when a record
 * was removed: the record key holds the user, so another user's sid finds nothing. A live record
 * leaves an ended mark.
 */
export const END_SESSION = script(`
local now = tonumber(ARGV[1])
local rec = redis.call('HGETALL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
if #rec == 0 then return false end
redis.call('DEL', KEYS[1])
mark_ended(KEYS[5], tonumber(field(rec, 'expiresAt')), now)
append(KEYS[3], KEYS[4], ARGV[4], ARGV[5], ARGV[6], now, {'t', 'session', 'a', ARGV[1], 's', ARGV[2], 'i', ARGV[3]})
if tonumber(field(rec, 'expiresAt')) > now then return rec end
return false
`)

/**
 * KEYS: version, index, stream, meta. ARGV: now, sub, record key prefix, epoch, channel, shard,
 * ended-mark key prefix.
 * Answers {new version, {ended live session ids}}; each of them leaves an ended mark.
 */
export const LOGOUT_ALL = script(`
local now = tonumber(ARGV[1])
local ver = redis.call('INCR', KEYS[1])
local ended = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local key = ARGV[3] .. sid
  local exp = redis.call('HGET', key, 'expiresAt')
  if exp and tonumber(exp) > now then
    ended[#ended + 1] = sid
    mark_ended(ARGV[7] .. sid, tonumber(exp), now)
  end
  redis.call('DEL', key)
end
redis.call('DEL', KEYS[2])
append(KEYS[3], KEYS[4], ARGV[4], ARGV[5], ARGV[6], now, {'t', 'user', 'a', ARGV[1], 's', ARGV[2], 'v', int(ver)})
return {ver, ended}
`)

/**
 * KEYS: index. ARGV: now, record key prefix.
 * Answers the user's live records; drops index entries whose record is gone.
 */
export const LIST_SESSIONS = script(`
local now = tonumber(ARGV[1])
local out = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local rec = redis.call('HGETALL', ARGV[2] .. sid)
  if #rec == 0 then
    redis.call('ZREM', KEYS[1], sid)
  elseif tonumber(field(rec, 'expiresAt')) > now then
    out[#out + 1] = rec
  end
end
return out
`)

/**
 * KEYS: denied, stream, meta. ARGV: now, expiresAt, jti, epoch, channel, shard, sub.
 * Denies until expiresAt unless a denial at least as long is kept (a denial is never shortened),
 * and appends a token event only then. Answers 1 if the denylist changed, else 0.
 */
export const DENY_TOKEN = script(`
local now = tonumber(ARGV[1])
local exp = tonumber(ARGV[2])
if exp <= now then return 0 end
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= exp then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', int(evict_at(exp, now)))
append(KEYS[2], KEYS[3], ARGV[4], ARGV[5], ARGV[6], now, {'t', 'token', 'a', ARGV[1], 's', ARGV[7], 'j', ARGV[3], 'x', ARGV[2]})
return 1
`)

/**
 * KEYS: any of version, record, denied, ended. ARGV: one letter per key ('v', 'r', 'd' or 'e').
 * Answers the version, the record's expiresAt, the denial's expiry and the ended mark's (nil where
 * absent).
 */
export const REVOCATION_STATE = script(`
local out = {}
for i = 1, #KEYS do
  if string.sub(ARGV[1], i, i) == 'r' then
    out[i] = redis.call('HGET', KEYS[i], 'expiresAt') or false
  else
    out[i] = redis.call('GET', KEYS[i]) or false
  end
end
return out
`)

/**
 * KEYS: session records (any slots: standalone and Sentinel only, see `record-reader.ts`). No ARGV.
 * Answers, per key, the values of `READ_FIELDS` (`HMGET`: false where the hash has none, all false
 * when there is no record) as one JSON array (`cjson`: ioredis decodes one string where it would
 * decode 15 replies, the client's main cost of a read), or `{error text}` for that key alone (a key
 * of another type), so one bad key fails its own read only. Read-only, without the prelude: it
 * runs on every session-cookie request, and its field list is in the script, not sent with every
 * read. The values are strings the store wrote (valid UTF-8); `cjson` escapes controls, `"`, `\\`
 * and `/`, and passes other bytes through.
 */
export const READ_RECORDS = `
local out = {}
for i = 1, #KEYS do
  local values = redis.pcall('HMGET', KEYS[i], ${READ_FIELDS.map((name) => `'${name}'`).join(', ')})
  if values.err then out[i] = {values.err} else out[i] = cjson.encode(values) end
end
return out
`

/**
 * KEYS: config. ARGV: this store's layout signature.
 * Records the signature if there is none, and answers the recorded one.
 */
export const CHECK_LAYOUT = script(`
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`)

/**
 * KEYS: stream, meta of each shard read. ARGV: epoch (for a new feed), count (0 = all), mode
 * ('a': after a position, 's': since a time), since ('' = from the start), then for mode 'a'
 * each shard's position: epoch, ms, n.
 *
 * Answers per shard {epoch, base ms, base n, gap, entries}: the base is the position just before
 * the first entry answered (where a reader that consumed none of them stands), gap is 1 when
 * entries the reader had not seen are gone (trimmed, or lost with the feed).
 */
export const READ_FEED = script(`
local epoch, count, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local since = nil
if ARGV[4] ~= '' then since = tonumber(ARGV[4]) end

local function range(stream, from)
  if count > 0 then return redis.call('XRANGE', stream, from, '+', 'COUNT', count) end
  return redis.call('XRANGE', stream, from, '+')
end

-- The position of the entry numbered fn - 1, the one before the entry fms-fn.
local function before(stream, fms, fn, tms, tn)
  if fn <= 1 then return 0, 0 end
  if tn == fn - 1 then return tms, tn end
  local prev = redis.call('XREVRANGE', stream, '(' .. int(fms) .. '-' .. int(fn), '-', 'COUNT', 1)
  if #prev > 0 then return split_id(prev[1][1]) end
  return fms, fn - 1
end

local out = {}
for s = 1, #KEYS / 2 do
  local stream, meta = KEYS[2 * s - 1], KEYS[2 * s]
  ensure_meta(stream, meta, epoch)
  local m = redis.call('HMGET', meta, 'e', 'n', 'ms', 'tms', 'tn')
  local e, mn, mms = m[1], tonumber(m[2] or '0'), tonumber(m[3] or '0')
  local tms, tn = tonumber(m[4] or '-1'), tonumber(m[5] or '0')
  local gap, bms, bn, entries = 0, 0, 0, {}
  if mode == 'a' then
    local p = 4 + 3 * (s - 1)
    local ce, cms, cn = ARGV[p + 1], tonumber(ARGV[p + 2]), tonumber(ARGV[p + 3])
    if ce ~= e then
      -- Another feed: the one the reader followed was lost. Read this one from its start.
      gap, cms, cn = 1, 0, 0
    elseif cn > mn or (cn > 0 and not (cms < tms or (cms == tms and cn <= tn))
        and #redis.call('XRANGE', stream, int(cms) .. '-' .. int(cn), int(cms) .. '-' .. int(cn)) == 0) then
      -- An entry the reader had seen is gone but was never trimmed (lost in a failover or a
      -- restart): what came after it may be lost too, and new entries may reuse its number.
      gap, cms, cn = 1, 0, 0
    end
    entries = range(stream, '(' .. int(cms) .. '-' .. int(cn))
    if #entries > 0 then
      local fms, fn = split_id(entries[1][1])
      if fn ~= cn + 1 then
        gap = 1
        bms, bn = before(stream, fms, fn, tms, tn)
      else
        bms, bn = cms, cn
      end
    elseif mn ~= cn then
      gap, bms, bn = 1, mms, mn
    else
      bms, bn = cms, cn
    end
  else
    if tn > 0 and (since == nil or tms >= since) then gap = 1 end
    local from = '-'
    if since ~= nil and since > 0 then from = int(math.ceil(since)) .. '-0' end
    local first = nil
    while first == nil do
      local batch = redis.call('XRANGE', stream, from, '+', 'COUNT', 100)
      if #batch == 0 then break end
      for _, entry in ipairs(batch) do
        if since == nil or tonumber(field(entry[2], 'a')) >= since then
          first = entry[1]
          break
        end
      end
      from = '(' .. batch[#batch][1]
    end
    if first then
      entries = range(stream, first)
      local fms, fn = split_id(first)
      bms, bn = before(stream, fms, fn, tms, tn)
    else
      bms, bn = mms, mn
    end
  end
  out[s] = {e, int(bms), int(bn), gap, entries}
end
return out
`)

/**
 * KEYS: stream, meta of each shard. ARGV: before (integer ms, at least 1).
 * Drops the entries with ids below before-0 (so with at < before) and records the newest one
 * dropped, for gap reports.
 */
export const TRIM_FEED = script(`
for s = 1, #KEYS / 2 do
  local stream, meta = KEYS[2 * s - 1], KEYS[2 * s]
  local last = redis.call('XREVRANGE', stream, '(' .. ARGV[1] .. '-0', '-', 'COUNT', 1)
  if #last > 0 then
    local ms, n = split_id(last[1][1])
    local m = redis.call('HMGET', meta, 'tms', 'tn')
    local tms, tn = tonumber(m[1] or '-1'), tonumber(m[2] or '0')
    if ms > tms or (ms == tms and n > tn) then redis.call('HSET', meta, 'tms', int(ms), 'tn', int(n)) end
    redis.call('XTRIM', stream, 'MINID', ARGV[1] .. '-0')
  end
end
return 1
`)
