using System;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Data;

namespace NNLinearity.Tests.Generators;

/// <summary>A random table: numeric x1 and x2, a factor f, a character g, a Poisson count y; and a formula over it.</summary>
public sealed record TableCase(int Rows, int FLevels, int Seed, string Formula)
{
    public override string ToString() => $"{Formula} on {Rows} rows, f with {FLevels} levels, seed {Seed}";

    public string[] FLevelNames => Enumerable.Range(0, FLevels).Select(l => "f" + (char)('a' + l)).ToArray();

    /// <summary>The table with its rows taken in the given order, and f's level names mapped by <paramref name="rename"/> (order kept).</summary>
    public DataTable Table(int[]? order = null, Func<string, string>? rename = null, string[]? fLevels = null)
    {
        var rng = new Random(Seed);
        int n = Rows;
        double[] x1 = new double[n], x2 = new double[n], y = new double[n];
        string[] f = new string[n], g = new string[n];
        for (int i = 0; i < n; i++)
        {
            x1[i] = Math.Round(rng.NextDouble() * 4 - 2, 3);
            x2[i] = Math.Round(rng.NextDouble() * 3, 3);
            f[i] = FLevelNames[i % FLevels]; // every level present
            g[i] = rng.Next(3) switch { 0 => "low", 1 => "mid", _ => "high" };
            y[i] = Math.Round(Math.Exp(0.5 + 0.3 * x1[i] + 0.1 * (i % FLevels)) + rng.Next(3));
        }

        order ??= Enumerable.Range(0, n).ToArray();
        rename ??= s => s;
        string[] levels = (fLevels ?? FLevelNames).Select(rename).ToArray();
        return new DataTable(
            DataColumn.Numeric("y", order.Select(i => y[i]).ToArray()),
            DataColumn.Numeric("x1", order.Select(i => x1[i]).ToArray()),
            DataColumn.Numeric("x2", order.Select(i => x2[i]).ToArray()),
            DataColumn.Factor("f", order.Select(i => rename(f[i])).ToArray(), levels),
            DataColumn.Text("g", order.Select(i => g[i]).ToArray()));
    }
}

public static class TableArbitraries
{
    private static readonly string[] Formulas =
    [
        "y ~ x1 + f", "y ~ f * x1", "y ~ f + g", "y ~ f:g", "y ~ f/x2", "y ~ (x1 + f + g)^2", "y ~ poly(x1, 2) + f",
        "y ~ log(x2 + 1) + I(x1^2) + g", "y ~ f - 1", "y ~ 0 + f:x1", "y ~ . - x2", "y ~ relevel(f, ref = \"fb\") + x2",
    ];

    public static Arbitrary<TableCase> Tables() =>
        (from rows in Gen.Choose(12, 60)
         from levels in Gen.Choose(2, 5)
         from seed in Gen.Choose(0, 1_000_000)
         from formula in Gen.Elements(Formulas)
         select new TableCase(rows, levels, seed, formula)).ToArbitrary();
}
