using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>The test an analysis of deviance uses.</summary>
public enum AnovaTest
{
    /// <summary>Chi-square on the deviance difference over the dispersion (the default when the dispersion is fixed).</summary>
    ChiSquare,

    /// <summary>F = (deviance difference / df) / dispersion on (df, residual df of the larger model) (the default when the dispersion is estimated).</summary>
    F,
}

/// <summary>One row of an analysis-of-deviance table: a model and its comparison with the one before it.</summary>
/// <param name="ResidualDegreesOfFreedom">The model's residual degrees of freedom.</param>
/// <param name="ResidualDeviance">The model's residual deviance.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of the difference from the previous model (NaN on the first row).</param>
/// <param name="Deviance">Deviance reduction from the previous model (NaN on the first row).</param>
/// <param name="F">The F statistic (NaN for a chi-square test and on the first row).</param>
/// <param name="PValue">The p-value of the comparison (NaN on the first row).</param>
public sealed record AnovaRow(int ResidualDegreesOfFreedom, double ResidualDeviance, double DegreesOfFreedom, double Deviance, double F, double PValue);

/// <summary>An analysis of deviance between nested fits (R's <c>anova(m1, m2, ..., test = )</c>).</summary>
public sealed class GlmAnova
{
    private GlmAnova(IReadOnlyList<AnovaRow> rows, AnovaTest test, double dispersion)
    {
        Rows = rows;
        Test = test;
        Dispersion = dispersion;
    }

    /// <summary>One row per model, in the order given.</summary>
    public IReadOnlyList<AnovaRow> Rows { get; }

    /// <summary>The test used.</summary>
    public AnovaTest Test { get; }

    /// <summary>The dispersion used: that of the largest model (the last), as R does.</summary>
    public double Dispersion { get; }

    /// <summary>Compares nested fits of the same data and family, smallest first.</summary>
    /// <param name="fits">Two or more fits, each nested in the next.</param>
    /// <param name="test">The test; by default F when the dispersion is estimated, chi-square otherwise.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">Fewer than two fits, different numbers of rows or families, or residual degrees of freedom that do not decrease.</exception>
    public static GlmAnova Compare(IReadOnlyList<GlmFit> fits, AnovaTest? test = null)
    {
        ArgumentNullException.ThrowIfNull(fits);
        if (fits.Count < 2) throw new ArgumentException("An analysis of deviance needs at least two nested fits.", nameof(fits));
        GlmFit largest = fits[^1];
        for (int k = 1; k < fits.Count; k++)
        {
            if (fits[k].RowCount != fits[0].RowCount) throw new ArgumentException("The fits were made on different numbers of rows.", nameof(fits));
            if (fits[k].Family.Name != fits[0].Family.Name) throw new ArgumentException("The fits use different families.", nameof(fits));
            if (fits[k].ResidualDegreesOfFreedom > fits[k - 1].ResidualDegreesOfFreedom)
            {
                throw new ArgumentException("Fits must be ordered from the smallest model to the largest (residual df not increasing).", nameof(fits));
            }
        }

        AnovaTest t = test ?? (largest.Family.EstimatesDispersion ? AnovaTest.F : AnovaTest.ChiSquare);
        double disp = largest.Dispersion;
        var rows = new List<AnovaRow> { new(fits[0].ResidualDegreesOfFreedom, fits[0].Deviance, double.NaN, double.NaN, double.NaN, double.NaN) };
        for (int k = 1; k < fits.Count; k++)
        {
            double df = fits[k - 1].ResidualDegreesOfFreedom - fits[k].ResidualDegreesOfFreedom;
            double dev = fits[k - 1].Deviance - fits[k].Deviance;
            double f = double.NaN, p;
            if (t == AnovaTest.F)
            {
                f = dev / df / disp;
                p = Distributions.FUpper(f, df, largest.ResidualDegreesOfFreedom);
            }
            else
            {
                p = Distributions.ChiSquareUpper(dev / disp, df);
            }

            rows.Add(new AnovaRow(fits[k].ResidualDegreesOfFreedom, fits[k].Deviance, df, dev, f, p));
        }

        return new GlmAnova(rows, t, disp);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.AppendLine("Analysis of Deviance Table");
        sb.AppendLine();
        sb.AppendLine(Test == AnovaTest.F ? "  Resid. Df Resid. Dev Df Deviance       F   Pr(>F)" : "  Resid. Df Resid. Dev Df Deviance Pr(>Chi)");
        for (int k = 0; k < Rows.Count; k++)
        {
            AnovaRow r = Rows[k];
            sb.Append(c, $"{k + 1} {r.ResidualDegreesOfFreedom,9} {r.ResidualDeviance,10:G6}");
            if (k > 0)
            {
                sb.Append(c, $" {r.DegreesOfFreedom,2} {r.Deviance,8:G5}");
                if (Test == AnovaTest.F) sb.Append(c, $" {r.F,7:G4}");
                sb.Append(c, $" {r.PValue,8:G4}");
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }
}
