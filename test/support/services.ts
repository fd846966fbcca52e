// The rule for suites that need a system service (a broker, a database): when the service is missing the
// suite says so loudly and passes, unless CANDLEFLOW_REQUIRE_SERVICES=1 (CI), where a missing service fails it.

export function servicesRequired(): boolean {
  return process.env.CANDLEFLOW_REQUIRE_SERVICES === '1';
}

/**
 * Returns true when the suite may run. When `missing` names what is absent, prints a loud banner and returns
 * false, or throws when services are required.
 */
export function serviceAvailable(service: string, missing: string | null): boolean {
  if (missing === null) return true;
  const line = `${service} is not available (${missing}): this suite did NOT run.`;
  if (servicesRequired()) throw new Error(`${line} CANDLEFLOW_REQUIRE_SERVICES=1 forbids skipping.`);
  const bar = '!'.repeat(Math.min(line.length, 100));
  console.warn(`\n${bar}\n${line}\n${bar}\n`);
  return false;
}

