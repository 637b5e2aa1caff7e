import "./quickstart.js";
