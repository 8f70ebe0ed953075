import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { validatePlain } from '@credence/contracts';

/** Validates a body or query against a DTO class; a 400 names every field and rule that failed. */
export class Valid<T extends object> implements PipeTransform<unknown, T> {
  constructor(private readonly dto: new () => T) {}

  transform(value: unknown): T {
    const result = validatePlain(this.dto, value ?? {});
    if (!result.ok) throw new BadRequestException({ error: 'invalid_request', issues: result.issues });
    return result.value;
  }
}
