// Koa 2 is installed under the alias `koa2` for the tests; its API is the same `new Koa()`.
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
