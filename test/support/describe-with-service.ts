import { describe, expect, it } from 'vitest';
import { serviceAvailable, servicesRequired } from './services.ts';

/**
 * `describe` for a suite that needs a service: with the service missing it registers one test that passes
 * only when services are not required, so the run shows the suite did not run instead of hiding it.
 */
export function describeWithService(title: string, service: string, missing: () => string | null, body: () => void): void {
  if (serviceAvailable(service, missing())) {
    describe(title, body);
  } else {
    describe(title, () => {
      it(`did not run: ${service} is missing`, () => expect(servicesRequired()).toBe(false));
    });
  }
}
