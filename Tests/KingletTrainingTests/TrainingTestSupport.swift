import Testing
@testable import KingletTraining
