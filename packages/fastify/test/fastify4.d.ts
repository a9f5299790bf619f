// Fastify 4 is installed under the alias `fastify4` for the tests; its factory is the same `fastify()`.
declare module 'fastify4' {
  import fastify from 'fastify'
  export default fastify
}
