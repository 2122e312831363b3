import { z } from 'zod';
import { defineTool, jsonResult } from './keygate-tool.js';

/**
 * An example of a host product's tool, registered through the extension point (see README, "Adding
 * your product's tools"). It needs the product permission "clients:read": a key minted by someone
 * without it never sees this tool.
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
  inputSchema: { nameContains: z.string().max(100).optional().describe('Case-insensitive filter on the name') },
  async handler({ nameContains }, { actor }) {
    const needle = nameContains?.toLowerCase();
    const items = CLIENTS.filter((c) => !needle || c.name.toLowerCase().includes(needle));
    return jsonResult({ companyId: actor.companyId, items });
  },
});
