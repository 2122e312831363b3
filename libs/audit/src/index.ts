// The auditors' library: what `npm run audit` and /api/audit are built on (README "For auditors").
export {};
