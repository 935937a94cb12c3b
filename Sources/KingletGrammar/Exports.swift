// JSON values (schemas, `const`, tool parameters) and source locations are part of this module's
// API; they are defined once, in KingletText, for the template engine too.
@_exported import KingletText
