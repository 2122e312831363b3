import { z } from 'zod';
// Inside this repository the types and helpers come through the package's import name; a plugin in its own
// package imports them from the published Keygate package instead (README.md beside this file).
import { defineTool, jsonResult } from '#api/tools';

/**
 * An example of a host product's tool, served only when named: KEYGATE_TOOL_MODULES=./dist/examples/tools/list-clients.tool.js
 * (after `npm run build`). It needs the product permission "clients:read": a key minted by someone without it
 * never sees this tool. The data is fake; a real tool would call the product's own API or database.
 */
const CLIENTS = [
  { id: 'c-1', name: 'Northwind Traders', city: 'Seattle' },
  { id: 'c-2', name: 'Contoso Pharmaceuticals', city: 'Lyon' },
  { id: 'c-3', name: 'Fabrikam Logistics', city: 'Osaka' },
];

export const listClients = defineTool({
  name: 'list_clients',
  title: 'List clients',
  description: "The product's clients (example product tool; needs clients:read).",
  requiredPermission: 'clients:read',
  // It only reads: offered to read-only keys too (a tool that does not say so is refused to them).
  annotations: { readOnlyHint: true },
  inputSchema: { nameContains: z.string().max(100).optional().describe('Case-insensitive filter on the name') },
  async handler({ nameContains }, { actor }) {
    const needle = nameContains?.toLowerCase();
    const items = CLIENTS.filter((c) => !needle || c.name.toLowerCase().includes(needle));
    // Scoped to the key creator's company, as every tool must be: actor.companyId comes from the key, not the caller.
    return jsonResult({ companyId: actor.companyId, items });
  },
});

// What Keygate serves from this module (named exports are then not read).
export default [listClients];
