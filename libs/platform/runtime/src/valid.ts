import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { validatePlain } from '@credence/contracts';

/** A body or query checked against its DTO; otherwise 400 `{ error: 'invalid_request', issues }`, every field and rule named. */
export function validOrBadRequest<T extends object>(dto: new () => T, value: unknown): T {
  const result = validatePlain(dto, value ?? {});
  if (!result.ok) throw new BadRequestException({ error: 'invalid_request', issues: result.issues });
  return result.value;
}

/** The same as a pipe: `@Body(new Valid(Dto))`, `@Query(new Valid(Dto))`. */
export class Valid<T extends object> implements PipeTransform<unknown, T> {
  constructor(private readonly dto: new () => T) {}

  transform(value: unknown): T {
    return validOrBadRequest(this.dto, value);
  }
}
