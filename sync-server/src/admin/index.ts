import type { FastifyInstance } from 'fastify';
import { applicationRoutes } from './applications.ts';
import { catalogRoutes } from './catalog.ts';
import { oversightRoutes } from './oversight.ts';
import { scheduleRoutes } from './schedule.ts';
import { teacherRoutes } from './teachers.ts';

/**
 * The admin API under /api/admin: every route requires the role admin, and acts on the
 * caller's organisation only (its databases), so an id of another organisation answers 404.
 * Shapes: shared/src/api.ts.
 */
export async function adminPlugin(app: FastifyInstance): Promise<void> {
  teacherRoutes(app);
  catalogRoutes(app);
  scheduleRoutes(app);
  applicationRoutes(app);
  oversightRoutes(app);
}

export default adminPlugin;
