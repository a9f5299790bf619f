// Express 4 is installed under the alias `express4` for the tests; its API is the same `express()`.
declare module 'express4' {
  import express from 'express'
  export default express
}
