using System.Linq;

namespace NNLinearity.Data;

/// <summary>Small real data sets for examples and tests.</summary>
/// <remarks>Thread safety: each call builds a new table; safe from any thread.</remarks>
public static class Datasets
{
    private static readonly string[] GroupLevels = ["<1l", "1-1.5l", "1.5-2l", ">2l"];
    private static readonly string[] AgeLevels = ["<25", "25-29", "30-35", ">35"];
    private static readonly int[] GroupCodes = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3];
    private static readonly int[] AgeCodes = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];

    /// <summary>
    /// Motor insurance claims (Baxter, Coutts and Ross, 1980; R's MASS::Insurance): 64 cells of policy holders by
    /// District (factor 1-4), Group (car engine size, ordered: &lt;1l, 1-1.5l, 1.5-2l, &gt;2l) and Age (of the driver,
    /// ordered: &lt;25, 25-29, 30-35, &gt;35), with the number of Holders (the exposure) and of Claims. The classic
    /// model is <c>Claims ~ District + Group + Age + offset(log(Holders))</c>, Poisson.
    /// </summary>
    /// <returns>The table.</returns>
    public static DataTable Insurance() => new(
        DataColumn.Factor("District", ["1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "3", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4", "4"], ["1", "2", "3", "4"]),
        DataColumn.Factor("Group", GroupCodes.Select(c => GroupLevels[c]).ToArray(), GroupLevels, ordered: true),
        DataColumn.Factor("Age", AgeCodes.Select(c => AgeLevels[c]).ToArray(), AgeLevels, ordered: true),
        DataColumn.Numeric("Holders", [197, 264, 246, 1680, 284, 536, 696, 3582, 133, 286, 355, 1640, 24, 71, 99, 452, 85, 139, 151, 931, 149, 313, 419, 2443, 66, 175, 221, 1110, 9, 48, 72, 322, 35, 73, 89, 648, 53, 155, 240, 1635, 24, 78, 121, 692, 7, 29, 43, 245, 20, 33, 40, 316, 31, 81, 122, 724, 18, 39, 68, 344, 3, 16, 25, 114]),
        DataColumn.Numeric("Claims", [38, 35, 20, 156, 63, 84, 89, 400, 19, 52, 74, 233, 4, 18, 19, 77, 22, 19, 22, 87, 25, 51, 49, 290, 14, 46, 39, 143, 4, 15, 12, 53, 5, 11, 10, 67, 10, 24, 37, 187, 8, 19, 24, 101, 3, 2, 8, 37, 2, 5, 4, 36, 7, 10, 22, 102, 5, 7, 16, 63, 0, 6, 8, 33]));
}
