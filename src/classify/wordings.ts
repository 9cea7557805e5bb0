/**
 * Facts that runtimes, SDKs and people word differently, each read as a kind: a TLS certificate that
 * cannot be verified, a host name that does not resolve (for now or for good), and the app's
 * connection limit. Each kind is one pattern of its families of wording (Node, .NET, Java, Go, Python,
 * curl, Windows; Xero's pages and people's paraphrases), matched on the lower-cased text. Every
 * alternative starts at a literal word and every gap is bounded, so a scan is linear on any input;
 * a cheap gate of the words it cannot do without keeps it off texts that cannot match.
 */

const any = (parts: readonly string[]): RegExp => new RegExp(parts.join('|'));

/** The certificate Xero presented could not be verified, in any runtime's words. */
const TLS_FAILURE = any([
  // Node and OpenSSL
  'unable to verify the first certificate',
  'self[- ]signed certificate',
  'certificate has expired',
  'certificate is not yet valid',
  'certificate[ _]verify[ _]failed',
  'unable to get local issuer certificate',
  "does not match certificate's altnames",
  // curl (and PHP, Ruby through it)
  'ssl certificate problem',
  'no alternative certificate subject name matches',
  'certificate subject name [^\\n]{0,255} does not match target host',
  'error setting certificate verify locations',
  // .NET and Windows
  'remote certificate (?:is invalid|was rejected)',
  'could not establish trust relationship',
  'remotecertificate(?:namemismatch|chainerrors|notavailable)',
  'the ssl connection could not be established',
  'chain was issued by an authority that is not trusted',
  'sec_e_(?:untrusted_root|cert_expired|wrong_principal)',
  'cert_trust_is_untrusted_root',
  // Java
  'pkix path (?:building|validation) failed',
  'unable to find valid certification path',
  'certpathvalidatorexception',
  'certificate(?:expired|notyetvalid)exception',
  'no subject alternative (?:dns )?names? matching',
  // Go
  'x509: certificate',
  'tls: failed to verify certificate',
  'certificate signed by unknown authority',
  // Python
  "hostname ['\"][^'\"\\n]{1,255}['\"] (?:doesn't|does not) match",
  // Browsers
  'net::err_cert_',
  // The kind in plain words
  'hostname mismatch',
  'certificate (?:is not trusted|is untrusted|is invalid|is not valid|has been revoked|was revoked)',
  '(?:untrusted|expired|revoked) (?:root )?certificate',
  'certificate (?:verification|validation) (?:failed|error)',
]);

export function isTlsFailure(lower: string): boolean {
  return /cert|x509|pkix|ssl|tls|trust|hostname/.test(lower) && TLS_FAILURE.test(lower);
}

/**
 * DNS said "not now": EAI_AGAIN and its words (Python, Rust, Go, Windows' WSATRY_AGAIN). Retrying helps.
 */
const DNS_TEMPORARY = any([
  'temporary failure in name resolution',
  'temporary error during hostname resolution',
  'server misbehaving',
  '\\bservfail\\b',
  'resolving timed out',
  'dns (?:lookup|resolution) timed out',
]);

/**
 * DNS said "no such name": ENOTFOUND and its words (Linux's EAI_NONAME, macOS, Windows' 11001, curl,
 * Java, Go, .NET Framework, NXDOMAIN). A typo or a missing DNS or proxy setting, which waiting does not fix.
 */
const DNS_NOT_FOUND = any([
  'name or service not known',
  'nodename nor servname provided',
  'no address associated with hostname',
  'no such host',
  '\\bnxdomain\\b',
  "could(?: not|n'?t) resolve host",
  'unable to resolve host',
  'unknownhostexception',
  'remote name could not be resolved',
  'could not find host',
]);

/** How a host name failed to resolve, if the text says so: for now (retry) or for good (fix the name). */
export function dnsFailure(lower: string): 'temporary' | 'not_found' | null {
  if (!/resol|host|service not known|servname|misbehav|servfail|nxdomain/.test(lower)) return null;
  if (DNS_TEMPORARY.test(lower)) return 'temporary';
  return DNS_NOT_FOUND.test(lower) ? 'not_found' : null;
}

/** "organisations", "connected Xero tenants", "allowed organisation connections". */
const ORGANISATIONS = '(?:allowed |permitted )?(?:connected )?(?:xero )?(?:organi[sz]ation|tenant|org)s?(?: connections)?\\b';

/**
 * The app's connection limit: Xero's connection-limit page (`authorize.xero.com/connectionLimit`, "has
 * reached their Xero connection limit"), OAuth 1.0a's "Maximum number of tenants", people's paraphrases
 * ("reached the limit of connections", "too many connected organisations"), and the certification
 * requirement that capped uncertified apps before tiers replaced it on 2 March 2026 ("needs to complete
 * certification before they can connect to more Xero organisations"): the same fix, free a connection
 * or move the app up.
 */
const CONNECTION_LIMIT = any([
  'connectionlimit',
  'connection limit exceeded',
  'maximum number of tenants',
  "(?:reached|hit|exceeded|at) (?:the |their |its |your |our |this )?(?:app'?s? )?(?:xero )?connection (?:limit|cap)",
  "xero(?:'s)? connection (?:limit|cap)",
  '(?:connection|connections|tenant|organi[sz]ation) (?:limit|cap) (?:has been )?(?:reached|exceeded|hit)',
  // "reached the limit of connections"; plain "connections" only after "limit" or "cap", so a database
  // pool's "maximum number of connections" is not read as Xero's.
  `(?:reached|hit|exceeded|over|at) (?:the |their |its |your |our |this )?(?:(?:limit|cap) (?:of|on) connections|(?:maximum |max )?(?:limit|number|cap) (?:of|on) ${ORGANISATIONS})`,
  `too many ${ORGANISATIONS}`,
  `(?:maximum|max) (?:number of )?${ORGANISATIONS} (?:already )?(?:connected|reached)`,
  // The certification requirement of uncertified apps.
  'complete (?:xero )?(?:app )?certification before (?:they|you|it|we) can connect',
  'limit of uncertified apps',
  'uncertified apps? (?:is |are )?limited to',
  'can connect (?:to )?more (?:xero )?organi[sz]ations',
]);

export function isConnectionLimit(lower: string): boolean {
  // Every wording names what is limited and the limit: both gates are cheap, the pattern is not.
  return /connect|tenant|organi|orgs|uncertified/.test(lower) && /limit|cap|max|too many|certification|more/.test(lower) && CONNECTION_LIMIT.test(lower);
}
