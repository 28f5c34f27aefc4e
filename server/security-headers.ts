import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Helmet with a strict Content-Security-Policy: scripts, styles and connections only from this origin,
 * no inline script or style, no plugins, no framing. `require-trusted-types-for 'script'` makes the
 * browser reject any string assigned to an HTML sink (`innerHTML` and friends), so document text can
 * only ever reach the page as text. Served over plain HTTP on loopback, so no HSTS or upgrade rule.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        styleSrcAttr: ["'none'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        // 'self' covers ws:// to the same host and port in CSP Level 3 browsers.
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        requireTrustedTypesFor: ["'script'"],
        trustedTypes: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
