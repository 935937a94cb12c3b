// Source locations and HTML escaping are part of this module's API; they are defined once, in
// KingletText, for the grammar compiler and the reports too.
@_exported import KingletText
