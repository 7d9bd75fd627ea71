// Entry point: picks the data source (the live server or data embedded in an exported page)
// and starts the explorer.

import "./style.css";
import { Explorer } from "./app";
import { openDataSource } from "./data";

declare global {
  interface Window {
    uadscope?: ReturnType<Explorer["testHooks"]>;
  }
}

const explorer = new Explorer(openDataSource());
window.uadscope = explorer.testHooks();
void explorer.start();
