import fc from 'fast-check';
import { findJsonFault } from '../../../../n8n/convert/json-position';

describe('findJsonFault: where JSON text stops being JSON', () => {
  it('agrees with JSON.parse on what is JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), (value, indent) => {
        expect(findJsonFault(JSON.stringify(value, null, indent))).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(findJsonFault(text) === null).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it('points at the first character that breaks it', () => {
    expect(findJsonFault('{"a": 1,}')).toEqual({ offset: 8, found: '"}"' });
    expect(findJsonFault('[1, 2')).toEqual({ offset: 5, found: 'the end of the file' });
    expect(findJsonFault('{"a": tru}')).toEqual({ offset: 6, found: '"t"' });
  });
});
