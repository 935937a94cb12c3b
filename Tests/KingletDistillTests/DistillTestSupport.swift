import Testing
@testable import KingletDistill
