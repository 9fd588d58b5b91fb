-- Argo CD health check for karmada-manager's WorkloadPlacement and ClusterWorkloadPlacement.
--
-- It reads the same conditions kstatus reads (Flux, Helm, `kubectl wait`), plus the Ready
-- reasons karmada-manager's fleet counts treat as failures, so that Argo CD, Flux and
-- FleetInsight agree on a workload. Argo CD runs this with Lua 5.1 (gopher-lua) and only the
-- base, table and a "safe" os library: no string or math functions, hence the plain
-- comparisons. Every field may be missing or of the wrong type, hence the type() checks.
-- The same script is embedded in argocd-cm.yaml; keep the two identical.

local hs = { status = "Progressing", message = "Waiting for karmada-manager" }

-- Ready=False with these reasons needs someone to act; any other reason is transient.
local failed_reasons = { SchedulingFailed = true, ApplyFailed = true, ClustersUnhealthy = true }

local function find(conditions, wanted)
  for _, c in ipairs(conditions) do
    if type(c) == "table" and c.type == wanted then
      return c
    end
  end
  return nil
end

local function has_status(c, wanted)
  return c ~= nil and c.status == wanted
end

local function message_of(c, fallback)
  if c ~= nil and type(c.message) == "string" and c.message ~= "" then
    return c.message
  end
  return fallback
end

local function verdict(status, message)
  hs.status = status
  hs.message = message
  return hs
end

if type(obj) ~= "table" or type(obj.status) ~= "table" or type(obj.status.conditions) ~= "table" then
  return hs
end
local status = obj.status

-- A status written for an older spec says nothing about the current one. Unlike kstatus, a
-- missing observedGeneration also counts as not observed: karmada-manager always writes it.
local generation = nil
if type(obj.metadata) == "table" then
  generation = tonumber(obj.metadata.generation)
end
local observed = tonumber(status.observedGeneration)
if generation ~= nil and (observed == nil or observed < generation) then
  return verdict("Progressing", "Waiting for karmada-manager to observe generation " .. generation)
end

-- Degraded is not read: on a WorkloadPlacement it says karmada-manager cannot observe part of
-- the picture (an unreachable member), not that the workload is unhealthy, or that pods are
-- not scheduled, which Ready=False and Reconciling already report as Progressing.
local ready = find(status.conditions, "Ready")
local reconciling = find(status.conditions, "Reconciling")
local stalled = find(status.conditions, "Stalled")

-- Stalled wins over everything, as in kstatus and in the fleet counts.
if has_status(stalled, "True") then
  return verdict("Degraded", message_of(stalled, "Stalled"))
end
if has_status(ready, "False") and failed_reasons[ready.reason] then
  return verdict("Degraded", message_of(ready, "Not ready: " .. ready.reason))
end
-- Before Ready=True: a rollout can be Ready (all replicas ready) yet still Reconciling (not
-- all updated); kstatus says InProgress then, and so do we.
if has_status(reconciling, "True") then
  return verdict("Progressing", message_of(reconciling, "Reconciling"))
end
if has_status(ready, "True") then
  return verdict("Healthy", message_of(ready, "Ready"))
end
if ready ~= nil then
  return verdict("Progressing", message_of(ready, "Not ready yet"))
end
return hs
