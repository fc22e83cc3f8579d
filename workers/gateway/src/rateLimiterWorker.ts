/**
 * The script that hosts the RateLimiter Durable Object. It lives apart from the gateway so the
 * gateway can roll out as gradual versions: Cloudflare refuses Durable Object migrations on a
 * version upload (error 10211), so the class's migration is applied here, by a non-versioned
 * upload, and the gateway binds the class across scripts.
 */
export { RateLimiter } from "./rateLimiter";

export default {
    fetch(): Response {
        return new Response("rate limiter host: reached through the gateway's RATE_LIMITER binding only", { status: 404 });
    },
} satisfies ExportedHandler;
