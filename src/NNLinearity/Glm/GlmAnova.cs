using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
/// <param name="ResidualDegreesOfFreedom">The model's residual degrees of freedom.</param>
/// <param name="ResidualDeviance">The model's residual deviance.</param>
/// <param name="DegreesOfFreedom">Degrees of freedom of the difference from the previous model (NaN on the first row).</param>
/// <param name="Deviance">Deviance reduction from the previous model (NaN on the first row).</param>
/// <param name="F">The F statistic (NaN for a chi-square test and on the first row).</param>
/// <param name="PValue">The p-value of the comparison (NaN on the first row).</param>
public sealed record AnovaRow(int ResidualDegreesOfFreedom, double ResidualDeviance, double DegreesOfFreedom, double Deviance, double F, double PValue);

/// <summary>An analysis of deviance between nested fits (R's <c>anova(m1, m2, ..., test = )</c>).</summary>
/// <remarks>Thread safety: immutable once built; safe to share across threads.</remarks>
public sealed class GlmAnova
{
    private GlmAnova(IReadOnlyList<AnovaRow> rows, AnovaTest test, double dispersion, double dispersionDegreesOfFreedom, IReadOnlyList<GlmDiagnostic> diagnostics)
    {
        Rows = rows;
        Test = test;
        Dispersion = dispersion;
        DispersionDegreesOfFreedom = dispersionDegreesOfFreedom;
        Diagnostics = diagnostics;
    }

    /// <summary>One row per model, in the order given.</summary>
    public IReadOnlyList<AnovaRow> Rows { get; }

    /// <summary>The test used.</summary>
    public AnovaTest Test { get; }

    /// <summary>The dispersion used: that of the largest model (the last), as R does.</summary>
    public double Dispersion { get; }

    /// <summary>
    /// The F test's denominator degrees of freedom: the largest model's residual degrees of freedom when the
    /// dispersion is estimated, infinity when the family fixes it (R's <c>df.dispersion</c>).
    /// </summary>
    public double DispersionDegreesOfFreedom { get; }

    /// <summary>Conditions R would warn about (an F test for a family whose dispersion is known).</summary>
    public IReadOnlyList<GlmDiagnostic> Diagnostics { get; }

    /// <summary>For a table by term (<see cref="Sequential"/>): "NULL" then each term's label; null for a comparison of fits.</summary>
    public IReadOnlyList<string>? RowLabels { get; private init; }

    /// <summary>
    /// The analysis of deviance of one fit by term, terms added sequentially first to last (R's <c>anova(fit)</c>):
    /// the null model, then each term's deviance reduction, every sub-model refitted by IRLS with the fit's weights and offset.
    /// </summary>
    /// <param name="fit">A fit made from a formula.</param>
    /// <param name="test">The test; by default F when the dispersion is estimated, chi-square otherwise (R 4.4's default).</param>
    /// <returns>The table; <see cref="RowLabels"/> names its rows.</returns>
    /// <exception cref="ArgumentException">The fit was made from a matrix (it has no terms).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="test"/> is not an <see cref="AnovaTest"/>.</exception>
    public static GlmAnova Sequential(GlmFit fit, AnovaTest? test = null)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (test is AnovaTest given && !Enum.IsDefined(given)) throw new ArgumentOutOfRangeException(nameof(test), given, $"test {(int)given} is not one of {string.Join(", ", Enum.GetNames<AnovaTest>())}.");
        NNLinearity.Formulas.ModelDesign design = fit.Design ?? throw new ArgumentException("The fit was made from a matrix; an analysis of deviance by term needs a fit from a formula.", nameof(fit));
        int terms = design.Terms.TermLabels.Count;
        var devs = new double[terms + 1];
        var dfs = new int[terms + 1];
        devs[0] = fit.NullDeviance;
        dfs[0] = fit.NullDegreesOfFreedom;
        var control = new GlmOptions { Epsilon = 1e-8, MaxIterations = 25 };
        for (int k = 1; k < terms; k++)
        {
            int upTo = k;
            GlmFit sub = Glm.FitDesign(design, fit.Family, fit.Link, control, j => design.Assign[j] <= upTo);
            devs[k] = sub.Deviance;
            dfs[k] = sub.ResidualDegreesOfFreedom;
        }

        if (terms > 0)
        {
            devs[terms] = fit.Deviance;
            dfs[terms] = fit.ResidualDegreesOfFreedom;
        }

        bool estimated = fit.Family.EstimatesDispersion;
        AnovaTest t = test ?? (estimated ? AnovaTest.F : AnovaTest.ChiSquare);
        double disp = fit.Dispersion;
        double dfDispersion = estimated ? fit.ResidualDegreesOfFreedom : double.PositiveInfinity;
        var rows = new List<AnovaRow> { new(dfs[0], devs[0], double.NaN, double.NaN, double.NaN, double.NaN) };
        for (int k = 1; k <= terms; k++)
        {
            double df = dfs[k - 1] - dfs[k], dev = devs[k - 1] - devs[k];
            double f = double.NaN, p;
            if (df == 0)
            {
                p = double.NaN;
            }
            else if (t == AnovaTest.F)
            {
                f = dev / df / disp;
                p = double.IsPositiveInfinity(dfDispersion) ? Distributions.ChiSquareUpper(f * df, df) : Distributions.FUpper(f, df, dfDispersion);
            }
            else
            {
                p = Distributions.ChiSquareUpper(dev / disp, df);
            }

            rows.Add(new AnovaRow(dfs[k], devs[k], df, dev, f, p));
        }

        var diagnostics = new List<GlmDiagnostic>();
        if (t == AnovaTest.F && !estimated)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FTestWithKnownDispersion,
                $"Using an F test with a '{fit.Family.Name}' family is inappropriate: its dispersion is known, so the denominator degrees of freedom are infinite and the F test equals the chi-square test."));
        }

        return new GlmAnova(rows, t, disp, dfDispersion, diagnostics) { RowLabels = design.Terms.TermLabels.Prepend("NULL").ToArray() };
    }

    /// <summary>Compares nested fits of the same data and family, smallest first.</summary>
    /// <param name="fits">Two or more fits, each nested in the next, made on the same responses and prior weights.</param>
    /// <param name="test">The test; by default F when the dispersion is estimated, chi-square otherwise.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentException">Fewer than two fits, a null fit, fits made on different rows, responses or prior weights, different families, or residual degrees of freedom that do not decrease.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="test"/> is not an <see cref="AnovaTest"/>.</exception>
    public static GlmAnova Compare(IReadOnlyList<GlmFit> fits, AnovaTest? test = null)
    {
        ArgumentNullException.ThrowIfNull(fits);
        if (test is AnovaTest given && !Enum.IsDefined(given)) throw new ArgumentOutOfRangeException(nameof(test), given, $"test {(int)given} is not one of {string.Join(", ", Enum.GetNames<AnovaTest>())}.");
        if (fits.Count < 2) throw new ArgumentException("An analysis of deviance needs at least two nested fits.", nameof(fits));
        for (int k = 0; k < fits.Count; k++)
        {
            if (fits[k] is null) throw new ArgumentException($"fits[{k}] is null.", nameof(fits));
        }

        GlmFit largest = fits[^1];
        for (int k = 1; k < fits.Count; k++)
        {
            if (fits[k].RowCount != fits[0].RowCount) throw new ArgumentException($"fits[{k}] was made on {fits[k].RowCount} rows and fits[0] on {fits[0].RowCount}: an analysis of deviance compares fits of the same data.", nameof(fits));
            if (fits[k].DataFingerprint != fits[0].DataFingerprint) throw new ArgumentException($"fits[{k}] was made on other responses or prior weights than fits[0]: an analysis of deviance compares fits of the same data.", nameof(fits));
            if (fits[k].Family.Name != fits[0].Family.Name) throw new ArgumentException($"fits[{k}] uses the {fits[k].Family.Name} family and fits[0] the {fits[0].Family.Name} family.", nameof(fits));
            if (fits[k].ResidualDegreesOfFreedom > fits[k - 1].ResidualDegreesOfFreedom)
            {
                throw new ArgumentException("Fits must be ordered from the smallest model to the largest (residual df not increasing).", nameof(fits));
            }
        }

        bool estimated = largest.Family.EstimatesDispersion;
        AnovaTest t = test ?? (estimated ? AnovaTest.F : AnovaTest.ChiSquare);
        double disp = largest.Dispersion;
        // R (anova.glmlist): df.dispersion is Inf when the dispersion is known, else the largest model's residual df.
        double dfDispersion = estimated ? largest.ResidualDegreesOfFreedom : double.PositiveInfinity;
        var diagnostics = new List<GlmDiagnostic>();
        if (t == AnovaTest.F && !estimated)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FTestWithKnownDispersion,
                $"Using an F test with a '{largest.Family.Name}' family is inappropriate: its dispersion is known, so the denominator degrees of freedom are infinite and the F test equals the chi-square test."));
        }

        var rows = new List<AnovaRow> { new(fits[0].ResidualDegreesOfFreedom, fits[0].Deviance, double.NaN, double.NaN, double.NaN, double.NaN) };
        for (int k = 1; k < fits.Count; k++)
        {
            double df = fits[k - 1].ResidualDegreesOfFreedom - fits[k].ResidualDegreesOfFreedom;
            double dev = fits[k - 1].Deviance - fits[k].Deviance;
            double f = double.NaN, p;
            if (t == AnovaTest.F)
            {
                f = dev / df / disp;
                p = double.IsPositiveInfinity(dfDispersion) ? Distributions.ChiSquareUpper(f * df, df) : Distributions.FUpper(f, df, dfDispersion);
            }
            else
            {
                p = Distributions.ChiSquareUpper(dev / disp, df);
            }

            rows.Add(new AnovaRow(fits[k].ResidualDegreesOfFreedom, fits[k].Deviance, df, dev, f, p));
        }

        return new GlmAnova(rows, t, disp, dfDispersion, diagnostics);
    }

    /// <summary>A p-value as R's format.pval prints it: four significant digits, "&lt; 2.2e-16" below double's epsilon.</summary>
    internal static string FormatP(double p) => double.IsNaN(p) ? "" : p < 2.220446e-16 ? "< 2.2e-16"
        : p.ToString(p < 1e-4 ? "0.000e+00" : "G4", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        if (RowLabels is not null)
        {
            int w = Math.Max(4, RowLabels.Max(l => l.Length));
            sb.AppendLine("Analysis of Deviance Table");
            sb.AppendLine();
            sb.AppendLine("Terms added sequentially (first to last)");
            sb.AppendLine();
            sb.Append(' ', w).Append(Test == AnovaTest.F ? " Df Deviance Resid. Df Resid. Dev       F   Pr(>F)" : " Df Deviance Resid. Df Resid. Dev Pr(>Chi)").AppendLine();
            for (int k = 0; k < Rows.Count; k++)
            {
                AnovaRow r = Rows[k];
                sb.Append(RowLabels[k].PadRight(w));
                if (k == 0) sb.Append(' ', 12);
                else sb.Append(c, $" {r.DegreesOfFreedom,2} {r.Deviance,8:F4}");
                sb.Append(c, $" {r.ResidualDegreesOfFreedom,9} {r.ResidualDeviance,10:F4}");
                if (k > 0)
                {
                    if (Test == AnovaTest.F) sb.Append(c, $" {r.F,7:F4}");
                    sb.Append(' ').Append(FormatP(r.PValue).PadLeft(9));
                }

                sb.AppendLine();
            }

            foreach (GlmDiagnostic d in Diagnostics) sb.AppendLine(c, $"Note: {d.Message}");
            return sb.ToString();
        }

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
                sb.Append(' ').Append(FormatP(r.PValue).PadLeft(9));
            }

            sb.AppendLine();
        }

        foreach (GlmDiagnostic d in Diagnostics) sb.AppendLine(c, $"Note: {d.Message}");
        return sb.ToString();
    }
}
