import { BadRequestException, ConflictException, HttpException, NotFoundException, ServiceUnavailableException, UnprocessableEntityException } from '@nestjs/common';

/**
 * A use case's non-success answer as its HTTP status, the body being the answer itself:
 * invalid 400 (`error: invalid_request`), refused 422, conflict 409, not_found 404, unavailable 503,
 * anything else 500.
 */
export function failWith(r: { status: string }): never {
  switch (r.status) {
    case 'invalid':
      throw new BadRequestException({ error: 'invalid_request', ...r });
    case 'refused':
      throw new UnprocessableEntityException(r);
    case 'conflict':
      throw new ConflictException(r);
    case 'not_found':
      throw new NotFoundException(r);
    case 'unavailable':
      throw new ServiceUnavailableException(r);
    default:
      throw new HttpException(r, 500);
  }
}
