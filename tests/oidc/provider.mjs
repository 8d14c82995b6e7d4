// A real OpenID Connect provider for the tests of council sign-in: the certified
// oidc-provider package with one static client and the test accounts it is given.
//
// Started by tests/oidc/fixtures.py with its configuration as JSON in OIDC_TEST_CONFIG:
//   {"clients": [{client_id, client_secret, redirect_uris}],
//    "users": [{sub, email, email_verified, name, password}],
//    "amr": ["pwd", "mfa"], "acr": "..."}
// It listens on 127.0.0.1 on a port the system picks and prints "READY <issuer>" once it
// answers. Its sign-in page is a plain form (login and password), so a browser test signs
// in as a person would; consent is granted without asking (a council's own provider
// trusts its own portal).
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const users = config.users || [];

function findUser(login) {
  const wanted = String(login || '').trim().toLowerCase();
  return users.find((u) => u.email.toLowerCase() === wanted || u.sub === wanted);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, problem) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Council sign-in (test provider)</title></head>
<body><main><h1>Test council sign-in</h1>
${problem ? `<p id="problem">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Email</label> <input id="login" name="login" autocomplete="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit" id="provider-sign-in">Sign in</button>
</form></main></body></html>`;
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: (config.clients || []).map((c) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...c,
    })),
    async findAccount(ctx, sub) {
      const user = users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: user.email,
            email_verified: user.email_verified !== false,
            name: user.name,
          };
        },
      };
    },
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
      // A council's provider says how the person signed in (amr, acr) in every ID token.
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    acrValues: config.acr ? [config.acr] : [],
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-provider-cookie-key-not-secret'] },
    pkce: { required: () => false },
  });

  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!match) {
      await next();
      return;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name === 'login') {
      if (ctx.method === 'POST' && match[2]) {
        const form = await readForm(ctx.req);
        const user = findUser(form.get('login'));
        if (!user || user.password !== form.get('password')) {
          ctx.type = 'html';
          ctx.body = loginPage(details.uid, 'Wrong email or password');
          return;
        }
        const login = { accountId: user.sub, remember: false };
        if (config.amr) login.amr = config.amr;
        if (config.acr) login.acr = config.acr;
        ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { login }));
        return;
      }
      ctx.type = 'html';
      ctx.body = loginPage(details.uid);
      return;
    }
    // Consent: grant what the client asked for.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } },
      { mergeWithLastSubmission: true }));
  });

  server.on('request', provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
