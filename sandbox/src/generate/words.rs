//! Word lists for the data generator.
//!
//! Exists to keep vocabulary out of the generation logic.

pub const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
    "Laura",
    "Ryan",
    "Sharon",
    "Jacob",
    "Cynthia",
    "Gary",
    "Kathleen",
    "Nicholas",
    "Amy",
    "Eric",
    "Angela",
    "Priya",
    "Wei",
    "Carlos",
    "Fatima",
    "Mateo",
    "Aisha",
    "Hiroshi",
    "Olga",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Patel",
    "Kim",
    "Chen",
    "Okafor",
    "Novak",
    "Schmidt",
    "Rossi",
    "Dubois",
];

pub const COMPANY_PREFIX: &[&str] = &[
    "Acme",
    "Blue Ridge",
    "Cedar",
    "Summit",
    "Harbor",
    "Pioneer",
    "Granite",
    "Redwood",
    "Evergreen",
    "Northstar",
    "Silverline",
    "Lakeside",
    "Ironclad",
    "Brightpath",
    "Keystone",
    "Maple",
    "Riverbend",
    "Clearwater",
    "Oakmont",
    "Highland",
    "Sterling",
    "Atlas",
    "Beacon",
    "Crescent",
    "Falcon",
    "Meridian",
    "Orchard",
    "Pinnacle",
    "Quarry",
    "Sequoia",
];

pub const COMPANY_SUFFIX: &[&str] = &[
    "Dental",
    "Logistics",
    "Manufacturing",
    "Law Group",
    "Accounting",
    "Medical",
    "Builders",
    "Realty",
    "Insurance",
    "Engineering",
    "Foods",
    "Motors",
    "Clinic",
    "Partners",
    "Holdings",
    "Labs",
    "Supply",
    "Financial",
    "Architects",
    "Hospitality",
];

pub const INDUSTRIES: &[&str] = &[
    "HOSPITAL_HEALTH_CARE",
    "LAW_PRACTICE",
    "ACCOUNTING",
    "CONSTRUCTION",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "REAL_ESTATE",
    "INSURANCE",
    "MECHANICAL_OR_INDUSTRIAL_ENGINEERING",
    "FOOD_PRODUCTION",
    "FINANCIAL_SERVICES",
];

pub const CITIES: &[&str] = &[
    "Austin",
    "Denver",
    "Columbus",
    "Raleigh",
    "Phoenix",
    "Nashville",
    "Portland",
    "Tampa",
    "Minneapolis",
    "Boise",
];

/// Job titles; the first group are decision makers.
pub const DM_TITLES: &[&str] = &[
    "Owner",
    "CEO",
    "President",
    "Founder",
    "Managing Partner",
    "COO",
    "CFO",
];

pub const OTHER_TITLES: &[&str] = &[
    "Office Manager",
    "IT Coordinator",
    "Operations Manager",
    "Practice Administrator",
    "Controller",
    "Executive Assistant",
    "Facilities Manager",
    "HR Generalist",
    "Bookkeeper",
];

pub const OTHER_ROLES: &[&str] = &[
    "BUDGET_HOLDER",
    "CHAMPION",
    "END_USER",
    "INFLUENCER",
    "BLOCKER",
    "EXECUTIVE_SPONSOR",
    "LEGAL_AND_COMPLIANCE",
    "OTHER",
];

pub const MEETING_TYPES: &[&str] = &[
    "First Time Appointment",
    "Follow Up",
    "COI",
    "Networking Event",
    "Discovery",
    "Proposal Review",
];

/// Notes that mention talking to a decision maker.
pub const DM_NOTES: &[&str] = &[
    "Spoke with the owner about their backup situation; wants a proposal next week.",
    "Had a good conversation with the DM. Budget approved for Q3.",
    "Call with the CEO: unhappy with current MSP response times.",
    "Finally reached the decision maker, she is interested in managed services.",
    "Met the president at the chamber event, follow up on the network refresh.",
    "Founder asked for pricing on 25 seats of managed endpoint protection.",
    "DM confirmed they are evaluating two vendors, decision by end of month.",
];

/// Notes that do not.
pub const OTHER_NOTES: &[&str] = &[
    "Left a voicemail with the front desk.",
    "Office manager says to call back after the audit.",
    "Sent the one-pager on managed backup.",
    "Gatekeeper would not transfer, try again Tuesday morning.",
    "Updated contact info from the website.",
    "Follow-up email sent with case study.",
    "IT coordinator wants a quote for two new laptops only.",
    "Rescheduled because of a conflict on their side.",
];

pub const CALL_BODIES_CONNECTED: &[&str] = &[
    "Connected, discussed current IT support and pain points.",
    "Spoke with the owner; interested, booked a first meeting.",
    "Talked to the office manager, not the DM. Will send info.",
    "Good call with the CEO about cybersecurity insurance requirements.",
    "Quick check-in on the proposal; waiting on the partners.",
];

pub const CALL_BODIES_OTHER: &[&str] = &[
    "No answer.",
    "Left voicemail about the free network assessment.",
    "Line busy.",
    "Wrong number on file, need to research.",
    "Left a message with reception.",
];

pub const EMAIL_SUBJECTS: &[&str] = &[
    "Following up on our call",
    "Managed services proposal",
    "Quick question about your IT support",
    "Free network assessment",
    "Re: backup and disaster recovery",
    "Meeting recap and next steps",
];

pub const TASK_SUBJECTS: &[&str] = &[
    "Call back",
    "Send proposal",
    "Follow up on quote",
    "Prepare QBR deck",
    "Research company before meeting",
];

pub const DEAL_PRODUCTS: &[&str] = &[
    "Managed IT",
    "Network Refresh",
    "Backup & DR",
    "Microsoft 365 Migration",
    "Security Bundle",
    "Hardware Refresh",
];

pub const INTERNAL_MEETINGS: &[&str] = &[
    "Weekly pipeline review",
    "Sales team standup",
    "Deal strategy sync",
    "1:1 with sales manager",
];

/// Note bodies with words that look like, but are not, the whole-word decision-maker
/// keywords ("decision maker", "DM", "CEO", "owner", "president", "founder"). Each
/// near-miss appears in two bodies.
pub const NEAR_MISS_NOTES: &[&str] = &[
    "Reviewed their DMZ rules; the cofounder handles vendor contracts.",
    "PSA export still shows the old owner_id on 40 tickets. Sent the admin portal login.",
    "<p>Invited them to our webinar for decision makers.</p><p>Article on CEOs and ransomware attached.</p>",
    "Presidential election year slows their budget cycle; their cofounder agrees.",
    "<p>DMZ cleanup done<br>owner_id column mapped in the PSA.</p>",
    "Shared the CEOs survey with the office manager; the owners' meeting is on the 12th.",
    "Booked the presidential suite for the decision makers summit; admin says no budget yet.",
];

/// Note bodies that do mention a decision maker, in forms a naive matcher misses: next to
/// punctuation, inside HTML tags, after an HTML entity, in title case. Each form appears in
/// two bodies.
pub const TRICKY_DM_NOTES: &[&str] = &[
    "Talked to the DM, budget is approved for Q3. Next step: send the proposal to the Founder.",
    "<p>Intro call with Dana Whitfield (CEO)<br>about co-managed IT.</p>",
    "<p>Spoke with:</p><p>Owner</p><p>Wants pricing for 25 seats.</p>",
    "Finally met the Decision Maker (CEO) at their Tampa office.",
    "<p>Lunch with their ops lead &amp; the CEO went well.</p>",
    "Call recap<br>Spoke with the president<br>Next: pricing for the DM, then a site visit.",
    "<p>Owner</p><p>Finance &amp; the CEO sign off; we met the Decision Maker too. Proposal to the Founder.</p>",
];
