// Reads SimulateCustomPolicy requests (one JSON object per line) on stdin and runs each
// (action x resource) cell through @cloud-copilot/iam-simulate; writes one line per request
// with the decisions. Copied by bench_reference.py into the temporary folder it installs into.
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { createInterface } from 'node:readline'

const DECISIONS = { Allowed: 'allowed', ImplicitlyDenied: 'implicitDeny', ExplicitlyDenied: 'explicitDeny' }

function accountOf(req, caller) {
  const owner = req.ResourceOwner || ''
  const m = /^(?:arn:[^:]+:iam::)?(\d{12})/.exec(owner)
  if (m) return m[1]
  const c = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(caller)
  return c ? c[1] : '000000000000'
}

function contextOf(req) {
  const out = {}
  for (const e of req.ContextEntries || []) {
    const list = (e.ContextKeyType || 'string').toLowerCase().endsWith('list')
    out[e.ContextKeyName] = list ? e.ContextKeyValues : e.ContextKeyValues[0]
  }
  return out
}

async function simulate(req) {
  const caller = req.CallerArn || 'arn:aws:iam::000000000000:user/caller'
  const accountId = accountOf(req, caller)
  const base = {
    identityPolicies: (req.PolicyInputList || []).map((p, i) => ({ name: `PolicyInputList.${i + 1}`, policy: JSON.parse(p) })),
    serviceControlPolicies: (req.OrderedOrganizationPolicyInputList || []).map((level, i) => ({
      orgIdentifier: `level-${i + 1}`,
      policies: level.ServiceControlPolicyInputList.map((p, j) => ({ name: `scp-${i + 1}-${j + 1}`, policy: JSON.parse(p) })),
    })),
    resourceControlPolicies: [],
    resourcePolicy: req.ResourcePolicy ? JSON.parse(req.ResourcePolicy) : undefined,
    permissionBoundaryPolicies: (req.PermissionsBoundaryPolicyInputList || []).map((p, i) => ({ name: `boundary-${i + 1}`, policy: JSON.parse(p) })),
  }
  const contextVariables = contextOf(req)
  const cells = []
  for (const action of req.ActionNames) {
    for (const resource of req.ResourceArns || ['*']) {
      const result = await runSimulation({ ...base, request: { principal: caller, action, resource: { resource, accountId }, contextVariables } }, {})
      cells.push(result.resultType === 'error' ? 'error' : DECISIONS[result.overallResult] || result.overallResult)
    }
  }
  return cells
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
const out = []
for await (const line of rl) {
  if (!line.trim()) continue
  out.push(JSON.stringify(await simulate(JSON.parse(line))))
}
process.stdout.write(out.join('\n') + '\n')
