/**
 * dotenv's parser, in a module of its own: config.ts loads it only for a `.env` file with a line
 * that is not plain (on Bun, from source; the Node build keeps it an import of the dotenv package).
 */
export { parse as parseDotenv } from "dotenv";
