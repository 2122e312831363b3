/** What this page uses of <keygate-api-keys> (loaded before this script by its own <script type="module">). */
interface KeygateApiKeys extends HTMLElement {
  getToken: (() => Promise<string>) | null;
}

/**
 * The standalone page at /settings/api-keys, for local use: sign in by pasting a JWT (from `npm run token`).
 * The JWT is kept in this closure only, never in storage or a cookie: a reload signs you out.
 */
const form = document.querySelector<HTMLFormElement>('#sign-in')!;
const field = document.querySelector<HTMLTextAreaElement>('#jwt')!;
const error = document.querySelector<HTMLElement>('#sign-in-error')!;
const signedIn = document.querySelector<HTMLElement>('#signed-in')!;
const signOut = document.querySelector<HTMLButtonElement>('#sign-out')!;
const keys = document.querySelector<KeygateApiKeys>('keygate-api-keys')!;

let jwt: string | null = null;

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const value = field.value.trim();
  field.value = '';
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value)) {
    error.textContent = 'That is not a JWT: paste the three dot-separated parts, e.g. the output of "npm run token".';
    field.focus();
    return;
  }
  error.textContent = '';
  jwt = value;
  keys.getToken = async () => {
    if (!jwt) throw new Error('Signed out.');
    return jwt;
  };
  form.hidden = true;
  signedIn.hidden = false;
  keys.hidden = false;
  signOut.focus();
});

signOut.addEventListener('click', () => {
  jwt = null;
  keys.getToken = null;
  keys.hidden = true;
  signedIn.hidden = true;
  form.hidden = false;
  field.focus();
});
