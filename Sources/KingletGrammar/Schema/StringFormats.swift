/// GBNF for the string formats the converter enforces (RFC 3339 date/time, RFC 4122 UUID).
enum StringFormats {
    static let supported = ["date", "time", "date-time", "uuid"]

    /// Rules defining `fmt-date`, `fmt-time`, `fmt-date-time`, `fmt-uuid` (string contents, no quotes).
    ///
    /// Dates are valid calendar dates (years 0001–9999) except 29 February, which is never produced (a leap-year
    /// test does not fit a grammar cheaply; leaving it out keeps every output valid).
    static let rules = #"""
    fmt-date      ::= fmt-year "-" ( ( "01" | "03" | "05" | "07" | "08" | "10" | "12" ) "-" fmt-day31 | ( "04" | "06" | "09" | "11" ) "-" fmt-day30 | "02-" fmt-day28 )
    fmt-year      ::= [1-9] [0-9]{3} | "0" ( [1-9] [0-9]{2} | "0" ( [1-9] [0-9] | "0" [1-9] ) )
    fmt-day31     ::= "0" [1-9] | [12] [0-9] | "3" [01]
    fmt-day30     ::= "0" [1-9] | [12] [0-9] | "30"
    fmt-day28     ::= "0" [1-9] | "1" [0-9] | "2" [0-8]
    fmt-time      ::= ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{1,9} )? ( "Z" | [+-] ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )
    fmt-date-time ::= fmt-date "T" fmt-time
    fmt-uuid      ::= fmt-hex{8} "-" fmt-hex{4} "-" fmt-hex{4} "-" fmt-hex{4} "-" fmt-hex{12}
    fmt-hex       ::= [0-9a-f]
    """#
}
